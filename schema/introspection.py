"""The introspection switch (`GRAPHQL_INTROSPECTION`): off, `__schema` and `__type` are refused.

With introspection off, a document that selects `__schema` or `__type` (directly or in a
fragment) fails validation with `INTROSPECTION_DISABLED`, and nothing is executed. `__typename`
still answers (clients add it everywhere), and so does federation's `_service { sdl }`: a gateway
composes the supergraph from it. So the switch keeps generic tools from exploring the schema; it
does not make the schema secret (a subgraph that must not publish its SDL belongs on a network
only the gateway reaches).

The extra validation rule joins the request's rules, so the cached validations
(`schema/caching.py`) of the two modes never mix.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    SKIP,
    FieldNode,
    GraphQLError,
    ValidationRule,
    VisitorAction,
    get_named_type,
    is_introspection_type,
)
from strawberry.extensions import SchemaExtension

from resolvers.context import RequestContext
from resolvers.errors import GraphError

__all__ = ["IntrospectionDisabled", "IntrospectionSwitch", "NoIntrospection"]


class IntrospectionDisabled(GraphError):
    """The document asks for `__schema` or `__type` while introspection is off."""

    code = "INTROSPECTION_DISABLED"


class NoIntrospection(ValidationRule):
    """Refuses each `__schema` and `__type` selection once (not every field inside it)."""

    def enter_field(self, node: FieldNode, *_args: Any) -> VisitorAction:
        type_ = get_named_type(self.context.get_type())
        if type_ is None or not is_introspection_type(type_):
            return None
        refusal = IntrospectionDisabled(
            f"introspection is turned off on this server (GRAPHQL_INTROSPECTION=false), "
            f"so '{node.name.value}' cannot be queried; ask its operator for the schema"
        )
        self.report_error(GraphQLError(refusal.message, node, original_error=refusal))
        return SKIP


class IntrospectionSwitch(SchemaExtension):
    """Adds `NoIntrospection` to the validation of a request whose options turn it off."""

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, RequestContext) and not context.options.introspection:
            execution.validation_rules = (*execution.validation_rules, NoIntrospection)
        yield
