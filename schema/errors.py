"""Errors translated in one place: every error in a response gets its `extensions.code`.

    GraphError (resolvers)   -> its code (BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN,
                                PROVIDER_ERROR with provider and cause)
    UpstreamError (sources)  -> its code, `source`, and `retryAfterSeconds` when known
    syntax error             -> GRAPHQL_PARSE_FAILED (QUERY_TOO_COMPLEX past MAX_QUERY_TOKENS)
    variable coercion        -> BAD_USER_INPUT
    other validation         -> GRAPHQL_VALIDATION_FAILED
    anything else            -> INTERNAL_SERVER_ERROR, message masked, logged with its trace

The extension also appends the soft errors fields reported while still answering
(`schema/soft.py`). Logs name the path, source and code; never a credential.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.context import RequestContext
from resolvers.errors import GraphError
from schema.limits import too_many_tokens
from sources.errors import UpstreamError

__all__ = ["ErrorTranslation", "describe", "log_unexpected"]

logger = logging.getLogger("holdings_graph.errors")

_MASKED = "Internal server error"


def describe(error: BaseException) -> tuple[str, dict[str, Any]]:
    """(message, extensions) a client sees for `error`."""
    if isinstance(error, GraphError):
        return error.message, error.extensions()
    if isinstance(error, UpstreamError):
        extensions: dict[str, Any] = {"code": error.code, "source": error.source.value}
        if error.retry_after_seconds is not None:
            extensions["retryAfterSeconds"] = error.retry_after_seconds
        return error.message, extensions
    return _MASKED, {"code": "INTERNAL_SERVER_ERROR"}


def log_unexpected(error: BaseException, path: Any) -> None:
    """Log what a client only sees masked (expected failures are logged briefly)."""
    if isinstance(error, UpstreamError):
        logger.warning("upstream failure at %s: %s %s", path, error.source.value, error.code)
    elif not isinstance(error, GraphError):
        logger.error("unexpected error at %s", path, exc_info=error)


def _translate(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GraphQLError):  # re-raised GraphQL errors keep their own form
        original = original.original_error
    if original is None or (isinstance(original, ValueError | TypeError) and error.path is None):
        message = error.message
        refusal = too_many_tokens(error) if isinstance(error, GraphQLSyntaxError) else None
        if refusal is not None:  # parse aborted at MAX_QUERY_TOKENS
            message, code = refusal.message, refusal.code
        elif isinstance(error, GraphQLSyntaxError):
            code = "GRAPHQL_PARSE_FAILED"
        elif message.startswith("Variable '$"):
            code = "BAD_USER_INPUT"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        extensions = {**(error.extensions or {}), "code": code}
    else:
        message, extensions = describe(original)
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


class ErrorTranslation(SchemaExtension):
    """Gives every error its code, masks the unexpected, adds the soft errors."""

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        result = execution.result
        if result is None or _subscription(execution):
            return
        errors = [_translate(error) for error in result.errors or ()]
        context = execution.context
        if isinstance(context, RequestContext):
            for problem, path in context.problems:
                log_unexpected(problem, path)
                message, extensions = describe(problem)
                errors.append(GraphQLError(message, path=path, extensions=extensions))
        result.errors = errors or None

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # A subscription's events go out one by one, long before the operation ends: each is
        # translated as it goes (its soft errors travel in its own `errors` fields).
        if _subscription(self.execution_context) and isinstance(result, ExecutionResult):
            errors = [_translate(error) for error in result.errors or ()]
            result.errors = errors or None
        yield


def _subscription(execution: ExecutionContext) -> bool:
    if execution.graphql_document is None:
        return False
    try:
        return execution.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:  # no operation by that name, or several without one
        return False
