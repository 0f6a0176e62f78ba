"""Bad `@defer` and `@stream` arguments refused while the document is validated, never mid-run.

graphql-core's own rules (in `specified_rules`, so in every request's validation) refuse the
misplaced directives as `GRAPHQL_VALIDATION_FAILED`: `@stream` on a field that is not a list
(`StreamDirectiveOnListField`), either on a mutation's root fields
(`DeferStreamDirectiveOnRootField`) or unconditionally in a subscription
(`DeferStreamDirectiveOnValidOperationsRule`), and a label that is not a static string or is
used twice (`DeferStreamDirectiveLabel`, whose messages `NamedLabels` makes name the label).

What depends on values is left by graphql-core to execution, where it fails as an unexpected
error after upstream calls were made: a `@stream(initialCount:)` that is negative or null (a
literal, or a variable's value or default), a null given for a variable in an `if:` that does
not take null, a `@stream` (or `@defer`) a variable turns on in a subscription (every event
fails). `bad_arguments` reads the executed operation's directives with the request's variables
and refuses those as `BAD_USER_INPUT`, naming the value; `IncrementalArguments` runs it right
after validation (cached or not), so nothing is executed. Variables that do not coerce are left
to the executor's own coercion, which reports them (`BAD_USER_INPUT` too).

The directives are checked wherever the operation runs them (not under a `@skip`/`@include`
that leaves their selection out), whether or not their own `if:` lets them take effect: a count
below zero is never meant.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLDeferDirective,
    GraphQLDirective,
    GraphQLError,
    GraphQLIncludeDirective,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLStreamDirective,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_directive_values, get_variable_values
from graphql.validation import DeferStreamDirectiveLabel
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.errors import BadUserInput, shown

__all__ = ["IncrementalArguments", "NamedLabels", "bad_arguments"]

_DIRECTIVES: Mapping[str, GraphQLDirective] = {
    GraphQLDeferDirective.name: GraphQLDeferDirective,
    GraphQLStreamDirective.name: GraphQLStreamDirective,
}
Selection = FieldNode | FragmentSpreadNode | InlineFragmentNode


class NamedLabels(DeferStreamDirectiveLabel):
    """graphql-core's rule, its messages naming the label (truncated) the client wrote."""

    def report_error(self, error: GraphQLError) -> None:
        directive = next(
            (node for node in reversed(error.nodes or ()) if isinstance(node, DirectiveNode)),
            None,
        )
        label = _label(directive) if directive is not None else None
        if label is not None:
            error = GraphQLError(f"{error.message[:-1]}: {label}.", error.nodes)
        super().report_error(error)


def _label(directive: DirectiveNode) -> str | None:
    for argument in directive.arguments or ():
        if argument.name.value != "label":
            continue
        value = argument.value
        if isinstance(value, StringValueNode):
            return f"label {shown(json.dumps(value.value))}"
        if isinstance(value, VariableNode):
            return f"label ${value.name.value}"
    return None


def bad_arguments(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> list[GraphQLError]:
    """The refusals of the `@defer`/`@stream` arguments of the operation to run (none when the
    operation is not found or its variables do not coerce: the executor reports those)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    values = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(values, list):
        return []
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    subscription = operation.operation is OperationType.SUBSCRIPTION
    refusals: list[GraphQLError] = []
    for selection in _selections(operation.selection_set, fragments, values):
        for directive in selection.directives or ():
            refusal = _refusal(selection, directive, values, subscription=subscription)
            if refusal is not None:
                refusals.append(refusal)
    return refusals


def _selections(
    root: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    values: VariableValues,
) -> Iterator[Selection]:
    """Every selection the operation reaches and does not skip (`@skip`, `@include`), each
    fragment's once (no recursion: the document may nest deeply)."""
    stack = [root]
    seen: set[str] = set()
    while stack:
        for selection in stack.pop().selections:
            assert isinstance(selection, Selection)
            if not _included(selection, values):
                continue
            yield selection
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    stack.append(fragment.selection_set)
            elif selection.selection_set is not None:
                stack.append(selection.selection_set)


def _included(selection: Selection, values: VariableValues) -> bool:
    """Whether the executor would run `selection` (when unsure, it is checked)."""
    try:
        skip = get_directive_values(GraphQLSkipDirective, selection, values)
        include = get_directive_values(GraphQLIncludeDirective, selection, values)
    except GraphQLError:  # a null `if:`: the executor reports it
        return True
    return not (skip and skip.get("if") is True) and not (include and include.get("if") is False)


def _refusal(
    selection: Selection,
    directive: DirectiveNode,
    values: VariableValues,
    *,
    subscription: bool,
) -> GraphQLError | None:
    definition = _DIRECTIVES.get(directive.name.value)
    if definition is None:
        return None
    name = f"@{definition.name}"
    try:
        # The first directive of its name (validation allows one per selection).
        arguments = get_directive_values(definition, selection, values)
    except GraphQLError:  # `if:` is the one argument that takes no null: a variable gave one
        return _refused(
            f"{name}(if:) is true or false, not null{_variable(directive, 'if')}", directive
        )
    if arguments is None:
        return None
    if subscription and arguments.get("if") is not False:
        # graphql-core's validation refuses it written on; the executor fails every event.
        return _refused(
            f"{name} is not supported in a subscription (each event comes whole); "
            f"it is on here{_variable(directive, 'if')}: turn it off with if: false",
            _argument(directive, "if") or directive,
        )
    if definition is not GraphQLStreamDirective:
        return None
    count = arguments.get("initialCount")
    if isinstance(count, int) and count >= 0:
        return None
    given = "null" if count is None else shown(str(count))
    return _refused(
        f"{name}(initialCount:) is how many items come before the rest are streamed: "
        f"a whole number, 0 or more, not {given}{_variable(directive, 'initialCount')}",
        _argument(directive, "initialCount") or directive,
    )


def _argument(directive: DirectiveNode, name: str) -> ArgumentNode | None:
    return next((a for a in directive.arguments or () if a.name.value == name), None)


def _variable(directive: DirectiveNode, name: str) -> str:
    """` (variable $x)` when the argument's value is the variable `$x`."""
    argument = _argument(directive, name)
    if argument is not None and isinstance(argument.value, VariableNode):
        return f" (variable ${argument.value.name.value})"
    return ""


def _refused(message: str, nodes: Any) -> GraphQLError:
    refusal = BadUserInput(message)
    return GraphQLError(refusal.message, nodes, original_error=refusal)


class IncrementalArguments(SchemaExtension):
    """Validates with `NamedLabels` for graphql-core's label rule, and refuses bad `@defer` and
    `@stream` arguments right after validation."""

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        execution.validation_rules = tuple(
            NamedLabels if rule is DeferStreamDirectiveLabel else rule
            for rule in execution.validation_rules
        )
        yield

    def on_validate(self) -> Iterator[None]:
        # Before the yield: Strawberry reads the refusals as its validation step ends, before
        # the hooks' rest runs. The validation is done by then (`CachedDocuments` and
        # `QueryLimits` come first), or done here as Strawberry would.
        execution = self.execution_context
        document = execution.graphql_document
        validated = execution.pre_execution_errors is not None or not execution.validation_rules
        if document is not None and not validated:
            execution.pre_execution_errors = validate_document(
                execution.schema._schema, document, execution.validation_rules
            )
        if document is not None and not execution.pre_execution_errors:
            refusals = bad_arguments(
                execution.schema._schema, document, execution.operation_name, execution.variables
            )
            if refusals:
                execution.pre_execution_errors = refusals
        yield
