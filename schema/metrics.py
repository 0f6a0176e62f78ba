"""Counts each GraphQL operation by type and each error in its response by code.

Listed before `ErrorTranslation` among the schema's extensions, so its `on_operation` ends after
the translation did and sees the codes the client sees (soft errors included). A soft error the
client read as data (an `errors` field) is in the response too, there instead of in `errors`:
it counts the same, so the figures do not depend on what a client asked to read.
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from resolvers.context import RequestContext
from schema.errors import describe, listed_in_data

__all__ = ["OperationMetrics"]


class OperationMetrics(SchemaExtension):
    """Feeds the app's `Metrics` (on the request's `Services`)."""

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        context = execution.context
        if not isinstance(context, RequestContext):
            return
        metrics = context.services.metrics
        kind = "invalid"
        if execution.graphql_document is not None:
            try:
                kind = execution.operation_type.value
            except RuntimeError:  # no operation by that name, or several without one
                kind = "invalid"
        metrics.operation(kind)
        result = execution.result
        for error in (result.errors if result is not None else None) or ():
            code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR")
            metrics.error(str(code))
        for problem in listed_in_data(context, result.data if result is not None else None):
            metrics.error(str(describe(problem.error)[1]["code"]))
