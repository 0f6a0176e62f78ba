"""Hostile-query limits: depth, aliases, tokens and an estimated cost, checked before execution.

A query that passes validation can still ask for far more than any screen needs (a hundred
aliases of `accounts(refs:)` with `holdings(first: 100)` under each). Every limit is checked per
request, after validation (cached or not, `schema/caching.py`) and before any resolver runs, so a
refused query costs no upstream call. Each refusal is `QUERY_TOO_COMPLEX` with a message naming
the limit (its setting) and the query's figure.

    tokens   lexical tokens of the text (graphql-core's `parse(max_tokens=)`): MAX_QUERY_TOKENS
    depth    nested field selections, fragments expanded; introspection (`__schema`, `__type`)
             is exempt, so GraphiQL's introspection query passes: MAX_QUERY_DEPTH
    aliases  aliased fields in the whole document: MAX_QUERY_ALIASES
    cost     the objects the operation may return: each object-typed field counts once per
             instance of its parent, times the length of the list it is given
             (`accounts(refs:)`, `nodes(ids:)`, `_entities(representations:)`), and a
             connection's `first` (default 20) multiplies everything under it; variables are
             read from the request: MAX_QUERY_COST. `portfolio` reads *every* holding of each
             account it is given, plus the viewer's two custodial accounts: each counts as a
             whole account, PORTFOLIO_MAX_HOLDINGS / MAX_PAGE_SIZE pages of objects.

    depth counts the longest chain of fields, the leaf included: `{ a { b } }` is 2.

Leaf fields cost nothing (they come with their object); `__typename` and introspection cost
nothing either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
    value_from_ast,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.context import GraphOptions, RequestContext
from resolvers.errors import GraphError

__all__ = [
    "QueryFigures",
    "QueryLimits",
    "QueryTooComplex",
    "measure",
    "too_many_tokens",
]

_DEFAULT_FIRST = 20
_LIST_ARGUMENTS = frozenset({"refs", "ids", "representations"})
_WHOLE_ACCOUNTS = {"portfolio": "accounts"}
"""Fields that read every holding of the accounts in the named list argument."""
_VIEWER_ACCOUNTS = 2
"""Custodial accounts `portfolio` may add for the viewer (CALICO and MESH)."""
_TOO_MANY_TOKENS = re.compile(r"Document contains more than (\d+) tokens")

_Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


class QueryTooComplex(GraphError):
    """The query is over one of the limits; the message names the limit and the figure."""

    code = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True)
class QueryFigures:
    """What one operation asks for, as the limits measure it."""

    depth: int
    aliases: int
    cost: int


def too_many_tokens(error: GraphQLError) -> QueryTooComplex | None:
    """The refusal a parse aborted by `max_tokens` stands for (None for other syntax errors)."""
    match = _TOO_MANY_TOKENS.search(error.message)
    if match is None:
        return None
    limit = int(match.group(1))
    return QueryTooComplex(
        f"the query has more than {limit} tokens, over the limit MAX_QUERY_TOKENS={limit}"
    )


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    options: GraphOptions,
) -> QueryFigures | None:
    """Depth, aliases and cost of the operation to run (None if none is to run).

    A `first` above MAX_PAGE_SIZE or a list above MAX_IDS counts as the maximum: the resolver
    refuses it as `BAD_USER_INPUT` (naming the value), which says more than a cost would.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    walk = _Walk(schema, _fragments(document), dict(variables or {}), options)
    depth, cost = walk.selections(root, operation.selection_set, 1, frozenset())
    return QueryFigures(depth=depth, aliases=_aliases(document), cost=cost)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _aliases(document: DocumentNode) -> int:
    count = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            count += sum(1 for field in _fields_in(definition.selection_set) if field.alias)
    return count


def _fields_in(selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection
            yield from _fields_in(selection.selection_set)
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields_in(selection.selection_set)


@dataclass
class _Walk:
    """Depth and cost of a validated operation, fragments expanded."""

    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    options: GraphOptions

    def selections(
        self,
        parent: _Composite,
        selection_set: SelectionSetNode | None,
        multiplier: int,
        seen: frozenset[str],
    ) -> tuple[int, int]:
        """(depth, cost) of a selection set under `parent`, each object counted `multiplier` x."""
        depth = cost = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                sub_depth, sub_cost = self.field(parent, selection, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                sub_depth, sub_cost = self.selections(
                    self._type(condition.name.value) if condition else parent,
                    selection.selection_set,
                    multiplier,
                    seen,
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation refuses both; stay safe
                    continue
                sub_depth, sub_cost = self.selections(
                    self._type(fragment.type_condition.name.value),
                    fragment.selection_set,
                    multiplier,
                    seen | {name},
                )
            else:  # pragma: no cover - graphql-core has no other selection
                continue
            depth = max(depth, sub_depth)
            cost += sub_cost
        return depth, cost

    def field(
        self, parent: _Composite, node: FieldNode, multiplier: int, seen: frozenset[str]
    ) -> tuple[int, int]:
        name = node.name.value
        if name.startswith("__"):  # introspection and __typename: exempt
            return 0, 0
        if isinstance(parent, GraphQLUnionType):  # only __typename is selectable on a union
            return 0, 0
        definition = parent.fields.get(name)
        if definition is None:
            return 1, 0
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 1, 0
        assert isinstance(named, _Composite)
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        own = multiplier * self._length(definition, given)
        reads = 0
        if name in _WHOLE_ACCOUNTS and isinstance(parent, GraphQLObjectType):
            reads = multiplier * self._whole_accounts(_WHOLE_ACCOUNTS[name], given)
        depth, cost = self.selections(
            named, node.selection_set, own * self._first(definition, given), seen
        )
        return depth + 1, cost + own + reads

    def _first(self, definition: GraphQLField, given: Mapping[str, Any]) -> int:
        """How many items a connection's page may hold (1 for other fields)."""
        if "first" not in definition.args:
            return 1
        first = self._value(definition, "first", given)
        factor = first if isinstance(first, int) and first > 0 else _DEFAULT_FIRST
        return min(factor, self.options.max_first)

    def _length(self, definition: GraphQLField, given: Mapping[str, Any]) -> int:
        """How many objects a field given a list returns (1 for other fields)."""
        factor = 1
        for name in _LIST_ARGUMENTS & definition.args.keys():
            length = self._list_length(given.get(name))
            factor *= min(max(1, length), self.options.max_ids)
        return factor

    def _list_length(self, node_value: Any) -> int:
        """How many items a list argument holds, written inline or given by a variable (0 when
        it is neither)."""
        if isinstance(node_value, ListValueNode):
            return len(node_value.values)
        if isinstance(node_value, VariableNode):
            value = self.variables.get(node_value.name.value)
            return len(value) if isinstance(value, list) else 0
        return 0

    def _whole_accounts(self, argument: str, given: Mapping[str, Any]) -> int:
        """What reading every holding of the accounts in `argument` (and the viewer's) costs:
        each account is PORTFOLIO_MAX_HOLDINGS objects, counted by pages of MAX_PAGE_SIZE."""
        accounts = min(self._list_length(given.get(argument)), self.options.max_ids)
        accounts += _VIEWER_ACCOUNTS
        per_account = -(-self.options.portfolio_max_holdings // self.options.max_first)
        return accounts * per_account * self.options.max_first

    def _value(self, definition: GraphQLField, name: str, given: Mapping[str, Any]) -> Any:
        argument = definition.args[name]
        node = given.get(name)
        if node is None:
            return argument.default_value
        return value_from_ast(node, argument.type, self.variables)

    def _type(self, name: str) -> _Composite:
        named = self.schema.get_type(name)
        assert isinstance(named, _Composite)
        return named


def _refusal(options: GraphOptions, figures: QueryFigures) -> QueryTooComplex | None:
    checks = (
        ("depth", figures.depth, "MAX_QUERY_DEPTH", options.max_query_depth),
        ("aliases", figures.aliases, "MAX_QUERY_ALIASES", options.max_query_aliases),
        ("estimated cost", figures.cost, "MAX_QUERY_COST", options.max_query_cost),
    )
    for what, figure, setting, limit in checks:
        if figure > limit:
            return QueryTooComplex(
                f"the query's {what} is {figure}, over the limit {setting}={limit}"
            )
    return None


class QueryLimits(SchemaExtension):
    """Refuses, before execution, an operation over the limits of the request's options.

    Runs after `CachedDocuments` (whose validation it reuses): a document not validated yet is
    validated here first, so the measures walk only valid documents.
    """

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, RequestContext):
            self.execution_context.parse_options["max_tokens"] = context.options.max_query_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if isinstance(context, RequestContext) and document is not None:
            if execution.pre_execution_errors is None:
                execution.pre_execution_errors = validate_document(
                    execution.schema._schema, document, execution.validation_rules
                )
            if not execution.pre_execution_errors:
                figures = measure(
                    execution.schema._schema,
                    document,
                    execution.operation_name,
                    execution.variables,
                    context.options,
                )
                refusal = _refusal(context.options, figures) if figures else None
                if refusal is not None:
                    execution.pre_execution_errors = [
                        GraphQLError(refusal.message, original_error=refusal)
                    ]
        yield
