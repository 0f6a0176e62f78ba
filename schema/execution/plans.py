"""Plans per cached operation, and why an operation runs without one.

An operation's plan is made once per (document, operation) and holds one *variant* per vector
of `@skip`/`@include`/`@defer`/`@stream` conditions (each directive's `if`, in document order):
the fields graphql-core collects, and which of them it defers or streams, depend on the
variables only through those, so one variant serves every request with the same vector. A
variant holds the completers of the operation's pure subtrees, keyed by the return type and the
field nodes graphql-core completes them under, compiled on first use.

Plans live in a bounded LRU keyed by the identity of the operation's AST node, which they keep
alive (so no other node can take its identity): documents come from the parse cache
(`schema/caching.py`), so a repeated query text is the same node. A text too long for that cache
is parsed anew on every request and gets no plan (`uncached-document`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLDeferDirective,
    GraphQLDirective,
    GraphQLIncludeDirective,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLStreamDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.values import VariableValues, get_argument_values

from schema.caching import MAX_CACHED_QUERY_LENGTH
from schema.execution.codegen import Completer, compile_shape
from schema.execution.shapes import Collect, Leaf, NonNull, Shape, read

__all__ = ["OperationPlan", "PlanCache", "Variant", "fallback_reason"]

#: Fields one compiled completer may hold; a larger subtree is completed by graphql-core.
MAX_FIELDS = 4000
_MAX_VARIANTS = 16
_INTROSPECTION = frozenset({"__schema", "__type"})
_CONDITIONS: dict[str, GraphQLDirective] = {
    "skip": GraphQLSkipDirective,
    "include": GraphQLIncludeDirective,
    "defer": GraphQLDeferDirective,
    "stream": GraphQLStreamDirective,
}
"""The directives whose `if` decides what graphql-core collects, defers or streams."""


_Node = FieldNode | DirectiveNode | FragmentSpreadNode


def _selections(selection_set: SelectionSetNode | None) -> Iterator[_Node]:
    """Every field, fragment spread and directive under `selection_set` (spreads not followed)."""
    for selection in selection_set.selections if selection_set else ():
        yield from selection.directives or ()
        if isinstance(selection, FieldNode):
            yield selection
            yield from _selections(selection.selection_set)
        elif isinstance(selection, InlineFragmentNode):
            yield from _selections(selection.selection_set)
        elif isinstance(selection, FragmentSpreadNode):
            yield selection


def _nodes(
    operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[_Node]:
    """The nodes of `operation` and of the fragments it spreads (each once, in order met)."""
    pending: list[SelectionSetNode] = [operation.selection_set]
    spread: set[str] = set()
    while pending:
        for node in _selections(pending.pop(0)):
            yield node
            if isinstance(node, FragmentSpreadNode) and node.name.value not in spread:
                spread.add(node.name.value)
                fragment = fragments.get(node.name.value)
                if fragment is not None:
                    pending.append(fragment.selection_set)


def fallback_reason(operation: OperationDefinitionNode, fields: frozenset[str]) -> str | None:
    """Why `operation` runs on graphql-core's executor alone, None if it gets a plan."""
    if operation.operation is OperationType.MUTATION:
        return "mutation"  # serial, with effects: kept on the reference executor
    if operation.operation is OperationType.SUBSCRIPTION:
        return "subscription"
    if fields & _INTROSPECTION:
        return "introspection"
    if operation.loc is None or len(operation.loc.source.body) > MAX_CACHED_QUERY_LENGTH:
        return "uncached-document"
    return None


def _holds_more_than_a_leaf(shape: Shape) -> bool:
    """A bare leaf costs graphql-core little: objects and lists are worth compiling."""
    return not isinstance(shape.inner if isinstance(shape, NonNull) else shape, Leaf)


@dataclass
class Variant:
    """The completers of one operation under one vector of `@skip`/`@include` conditions."""

    schema: GraphQLSchema
    default_resolver: object
    completers: dict[tuple[int, tuple[int, ...]], Completer | None] = field(default_factory=dict)

    def completer(
        self, return_type: GraphQLOutputType, fields: FieldDetailsList, collect: Collect
    ) -> Completer | None:
        """The completer of values of `return_type` under `fields` (None: not pure)."""
        key = (id(return_type), tuple(id(details.node) for details in fields))
        try:
            return self.completers[key]
        except KeyError:
            pass
        completer = None
        shape = read(
            self.schema,
            return_type,
            fields,
            collect,
            default_resolver=self.default_resolver,
            max_fields=MAX_FIELDS,
        )
        if shape is not None and _holds_more_than_a_leaf(shape):
            completer = compile_shape(shape, f"{return_type} at {fields[0].node.name.value}")
        self.completers[key] = completer
        return completer


@dataclass
class OperationPlan:
    """What one operation of one document runs on; kept alive with its nodes."""

    operation: OperationDefinitionNode
    fragments: Mapping[str, FragmentDefinitionNode]
    reason: str | None
    conditions: tuple[DirectiveNode, ...]
    variants: OrderedDict[tuple[bool, ...], Variant] = field(default_factory=OrderedDict)

    @classmethod
    def of(
        cls, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
    ) -> OperationPlan:
        nodes = list(_nodes(operation, fragments))
        names = frozenset(node.name.value for node in nodes if isinstance(node, FieldNode))
        conditions = tuple(
            node
            for node in nodes
            if isinstance(node, DirectiveNode) and node.name.value in _CONDITIONS
        )
        return cls(operation, fragments, fallback_reason(operation, names), conditions)

    def vector(self, variables: VariableValues, hide_suggestions: bool) -> tuple[bool, ...]:
        """Each condition's `if` under `variables` (raises as graphql-core would raise)."""
        values = []
        for node in self.conditions:
            directive = _CONDITIONS[node.name.value]
            arguments = get_argument_values(directive, node, variables, None, hide_suggestions)
            values.append(bool(arguments.get("if", True)))  # `@defer`'s and `@stream`'s default
        return tuple(values)

    def variant(
        self, vector: tuple[bool, ...], schema: GraphQLSchema, default_resolver: object
    ) -> Variant:
        found = self.variants.get(vector)
        if found is None:
            found = self.variants[vector] = Variant(schema, default_resolver)
            while len(self.variants) > _MAX_VARIANTS:
                self.variants.popitem(last=False)
        else:
            self.variants.move_to_end(vector)
        return found


class PlanCache:
    """A bounded LRU of operation plans, by the identity of the schema and operation node."""

    def __init__(self, entries: int = 128) -> None:
        self._entries = entries
        self._plans: OrderedDict[tuple[int, int], OperationPlan] = OrderedDict()

    def plan(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
    ) -> OperationPlan:
        key = (id(schema), id(operation))
        found = self._plans.get(key)
        if found is not None and found.operation is operation:
            self._plans.move_to_end(key)
            return found
        found = OperationPlan.of(operation, fragments)
        if found.reason != "uncached-document":
            self._plans[key] = found
            while len(self._plans) > self._entries:
                self._plans.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._plans)
