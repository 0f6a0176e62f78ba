"""Tells the request's context when the operation is not a query, so nothing caches its answer.

The HTTP layer decides `Cache-Control` after execution; by then only the context is left to say
whether a mutation ran (the document has been parsed here, not there).
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.context import RequestContext

__all__ = ["OperationKind"]


class OperationKind(SchemaExtension):
    """Marks the context `read_only = False` when a mutation (or subscription) executes."""

    def on_execute(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if isinstance(context, RequestContext) and execution.operation_type is not (
            OperationType.QUERY
        ):
            context.read_only = False
        yield
