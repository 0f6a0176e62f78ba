"""Counts each GraphQL operation by type and each error in its response by code.

Listed before `ErrorTranslation` among the schema's extensions, so its `on_operation` ends after
the translation did and sees the codes the client sees (soft errors included). A response sent
in parts (`@defer`, `@stream`) has its errors counted part by part, after each was translated.
A soft error the client read as data (an `errors` field) is in the response too, there instead
of in `errors` (`RequestContext.listed`): it counts the same, so the figures do not depend on
what a client asked to read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import GraphQLError, SubsequentIncrementalExecutionResult
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult

from resolvers.context import RequestContext
from schema.errors import describe

__all__ = ["OperationMetrics"]


class OperationMetrics(SchemaExtension):
    """Feeds the app's `Metrics` (on the request's `Services`)."""

    _in_parts = False
    #: How many of the request's listed soft errors are counted.
    _listed = 0

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, RequestContext):
            return
        kind = "invalid"
        if execution.graphql_document is not None:
            try:
                kind = execution.operation_type.value
            except RuntimeError:  # no operation by that name, or several without one
                kind = "invalid"
        context.services.metrics.operation(kind)
        result = execution.result
        if not self._in_parts and result is not None:
            self._count(result.errors)
        self._count_listed()

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        self._in_parts = True
        yield  # after ErrorTranslation's hook: the codes the client sees
        if isinstance(result, SubsequentIncrementalExecutionResult):
            for entry in [*(result.incremental or ()), *(result.completed or ())]:
                self._count(entry.errors)
        else:
            self._count(result.errors)
        self._count_listed()

    def _count(self, errors: Iterable[GraphQLError] | None) -> None:
        context = self.execution_context.context
        if not isinstance(context, RequestContext):
            return
        for error in errors or ():
            code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
            context.services.metrics.error(str(code))

    def _count_listed(self) -> None:
        context = self.execution_context.context
        if not isinstance(context, RequestContext):
            return
        for problem in context.listed[self._listed :]:
            _, extensions = describe(problem.error)
            context.services.metrics.error(str(extensions["code"]))
        self._listed = len(context.listed)
