"""graphql-core's executor, completing pure subtrees with their compiled plan.

graphql-core still drives every operation: it coerces the variables, collects the root fields,
calls every resolver the schema has (connections, `node`, loaders), awaits them together as it
always does (so DataLoader batching and the order of errors are its own), completes abstract
types, and records errors with their paths and locations. Where it is about to complete a value
whose whole subtree is pure (`schema/execution/shapes.py`), the value's compiled completer
builds the response in one call instead of graphql-core's `execute_field`/`complete_value`/
resolve info per field; a completer that meets anything unusual gives the value back and
graphql-core completes it from the start, exactly as without a plan.

It is the schema's `DeliveryExecutor` (`schema/delivery.py`), completing long lists in turns
(`schema/turns.py`), with plans: a response sent in
parts (`@defer`/`@stream` over `multipart/mixed`) runs on graphql-core's incremental executor
alone, since its deferred fragments and streamed lists are delivered later, not completed in
place; any other response completes them in place, as graphql-core's base executor does, the
pure subtrees among them on their plan.

Each execution is counted (`Metrics.execution`): on a plan, or on graphql-core alone and why
(`disabled` by COMPILED_EXECUTION=false, `mutation`, `subscription`, `introspection`,
`uncached-document`, `middleware` when an extension wraps resolvers, `incremental` for a
response in parts, `directive-value` when an `@skip`/`@include`/`@defer`/`@stream` condition
does not evaluate).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet, collect_subfields
from graphql.pyutils import AwaitableOrValue, Path
from graphql.type import GraphQLObjectType

from resolvers.context import RequestContext
from schema.execution.codegen import Completer
from schema.execution.plans import PlanCache, Variant
from schema.turns import TakingTurns

__all__ = ["PLANS", "PlannedExecutor"]

PLANS = PlanCache()
"""This process's operation plans (shared by every request, like the document cache)."""


def _probe(source: Any, info: Any, **arguments: Any) -> None:
    """A resolver that tells whether a middleware wraps resolvers (it is then not returned)."""


class PlannedExecutor(TakingTurns):
    """The schema's execution context, with compiled completers for pure subtrees."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._memo: dict[tuple[int, int], tuple[FieldDetailsList, Completer | None]] = {}
        context = self.context_value
        self._context = context if isinstance(context, RequestContext) else None
        self._variant, reason = self._choose()
        if self._context is not None:
            executor = "plan" if self._variant is not None else "standard"
            self._context.services.metrics.execution(executor, reason)

    def _choose(self) -> tuple[Variant | None, str]:
        if self._context is not None and not self._context.options.compiled_execution:
            return None, "disabled"
        if self.in_parts:
            return None, "incremental"
        middleware = self.middleware_manager
        if middleware is not None and middleware.get_field_resolver(_probe) is not _probe:
            return None, "middleware"
        plan = PLANS.plan(self.schema, self.operation, self.fragment_definitions)
        if plan.reason is not None:
            return None, plan.reason
        try:
            vector = plan.vector(self.variable_values, self.hide_suggestions)
        except Exception:  # graphql-core reports it where its collection meets the directive
            return None, "directive-value"
        # Strawberry reads resolver-less fields with its config's default resolver.
        config = getattr(getattr(self.schema, "_strawberry_schema", None), "config", None)
        default_resolver = config.default_resolver if config is not None else None
        return plan.variant(vector, self.schema, default_resolver), "compiled"

    def _collect(self, type_: GraphQLObjectType, fields: FieldDetailsList) -> GroupedFieldSet:
        collected = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            type_,
            fields,
            self.hide_suggestions,
        )
        return collected.grouped_field_set

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        variant = self._variant
        if variant is not None:
            key = (id(return_type), id(field_details_list))
            memo = self._memo.get(key)
            if memo is None:
                # The list is kept with its entry, so its identity is not reused meanwhile.
                completer = variant.completer(return_type, field_details_list, self._collect)
                memo = self._memo[key] = (field_details_list, completer)
            completer = memo[1]
            if completer is not None:
                try:
                    return completer(result)
                except Exception:  # anything unusual: graphql-core completes it its own way
                    if self._context is not None:
                        self._context.services.metrics.plan_bailout()
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )
