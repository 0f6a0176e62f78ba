"""Errors translated in one place: every error in a response gets its `extensions.code`.

    GraphError (resolvers)   -> its code (BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN,
                                PROVIDER_ERROR with provider and cause)
    UpstreamError (sources)  -> its code, `source`, and `retryAfterSeconds` when known
    syntax error             -> GRAPHQL_PARSE_FAILED (QUERY_TOO_COMPLEX past MAX_QUERY_TOKENS)
    variable coercion        -> BAD_USER_INPUT
    other validation         -> GRAPHQL_VALIDATION_FAILED
    anything else            -> INTERNAL_SERVER_ERROR, message masked, logged with its trace

The extension also appends the soft errors fields reported while still answering
(`schema/soft.py`), except those the response's data lists already: a soft error whose object's
`errors` field is in the data (the client asked to read failures as data) is not repeated as a
GraphQL error (it is kept in `RequestContext.listed`, for the metrics). Logs name the path,
source and code; never a credential:

    a client's mistake (CLIENT_CODES)   -> one INFO line per response (per part of a response
                                           in parts), codes and where (a variable's name, a
                                           path, a line), no traceback, no value (a variable
                                           may hold anything)
    an upstream failure                 -> WARNING, source and code
    anything unexpected                 -> ERROR with its traceback

A response sent in parts (`@defer`, `@stream`; `schema/incremental.py`) is translated part by
part as each goes out (`on_stream_result`): the errors of each deferred fragment and streamed
item with it, and each soft error with the part whose data holds its field, unless this part
or one before it holds the `errors` field that lists it. A soft error no part holds by the last
one goes with the last.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from functools import partial
from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    IncrementalDeferResult,
    InitialIncrementalExecutionResult,
    SubsequentIncrementalExecutionResult,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types import ExecutionResult as StrawberryResult
from strawberry.types.execution import StreamExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.context import Problem, RequestContext, ResponsePath
from resolvers.errors import GraphError
from schema.incremental import Deliveries, Entry, Landing, holds
from schema.limits import too_many_tokens
from sources.errors import UpstreamError

__all__ = [
    "CLIENT_CODES",
    "ErrorTranslation",
    "PartErrors",
    "answered",
    "describe",
    "log_errors",
    "log_unexpected",
]

logger = logging.getLogger("holdings_graph.errors")

_MASKED = "Internal server error"
#: Codes of the errors a client causes and can fix: logged as client errors.
CLIENT_CODES = frozenset(
    {
        "BAD_USER_INPUT",
        "FORBIDDEN",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "INTROSPECTION_DISABLED",
        "QUERY_TOO_COMPLEX",
        "UNAUTHENTICATED",
    }
)
_LISTED = 5
_VARIABLE = re.compile(r"Variable '(\$[_A-Za-z][_0-9A-Za-z]*)'")


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


def log_errors(errors: list[GraphQLError]) -> None:
    """Log the errors of one response: the client's mistakes in one INFO line, the rest by
    `log_unexpected`."""
    mistakes: list[tuple[str, str]] = []
    for error in errors:
        code = _client_code(error)
        if code is not None:
            mistakes.append((code, _where(error)))
        elif error.original_error is not None:
            log_unexpected(error.original_error, error.path)
    if mistakes:
        listed = ", ".join(f"{code} {where}" for code, where in mistakes[:_LISTED])
        more = f" and {len(mistakes) - _LISTED} more" if len(mistakes) > _LISTED else ""
        codes = sorted({code for code, _ in mistakes})
        logger.info(
            "client error: %s%s", listed, more, extra={"client_error": True, "codes": codes}
        )


def _client_code(error: GraphQLError) -> str | None:
    """The code of an error the client caused, or None."""
    original = error.original_error
    # A bare exception here is the server's (graphql-core wraps what it raises itself, such as
    # a scalar refusing a variable, in a GraphQLError).
    if original is not None and not isinstance(original, GraphQLError | GraphError):
        return None
    code = (_translate(error).extensions or {}).get("code")
    return code if code in CLIENT_CODES else None


def _where(error: GraphQLError) -> str:
    """Where an error is, without any value the client sent: a variable's name, a path, or a
    line and column of the document."""
    variable = _VARIABLE.match(error.message)
    if variable is not None:
        return f"in variable {variable.group(1)}"
    if error.path is not None:
        return f"at {list(error.path)}"
    if error.locations:
        location = error.locations[0]
        return f"at line {location.line}, column {location.column}"
    return "in the request"


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


Claims = Callable[[Sequence[str | int]], bool]
"""Whether a part holds the field at a path (so its soft error goes with that part)."""
Answers = Callable[[Sequence[str | int], str], bool]
"""Whether a part holds an object at a path, with a list at a response key (an `errors` field
that lists soft errors)."""


def answered(data: Any, path: Sequence[str | int], key: str) -> bool:
    """Whether `data` holds, at `path`, an object whose `key` is a list (an `errors` field
    that made it into the response: its object was not nulled by a sibling's error)."""
    node = data
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or not 0 <= step < len(node):
                return False
        elif not isinstance(node, dict) or step not in node:
            return False
        node = node[step]
    return isinstance(node, dict) and isinstance(node.get(key), list)


def _answers_in(entry: Entry, landing: Landing) -> Answers:
    """`answered` within what `entry` delivers where it lands."""

    def answers(path: Sequence[str | int], key: str) -> bool:
        base = landing.path
        if len(path) < len(base) or list(path[: len(base)]) != base:
            return False
        rest = path[len(base) :]
        if isinstance(entry, IncrementalDeferResult):
            return answered(entry.data, rest, key)
        if not rest or not isinstance(rest[0], int) or landing.start is None:
            return False
        index = rest[0] - landing.start
        return 0 <= index < len(entry.items) and answered(entry.items[index], rest[1:], key)

    return answers


class PartErrors:
    """Translates one response's parts in order; sends each soft error once, or not at all
    when a part sent holds the `errors` field that lists it."""

    def __init__(
        self,
        problems: Sequence[Problem],
        carriers: Collection[tuple[ResponsePath, str]] = (),
        listed: list[Problem] | None = None,
    ) -> None:
        #: The request's soft errors (`RequestContext.problems`) and the `errors` fields
        #: answered (`carriers`): they come in while it runs.
        self._problems = problems
        self._carriers = carriers
        #: Where the soft errors left out because the data lists them go
        #: (`RequestContext.listed`, for the metrics).
        self._listed_out = listed if listed is not None else []
        self._sent: set[int] = set()
        #: The objects whose `errors` field a part sent so far held.
        self._listing: set[ResponsePath] = set()
        self._deliveries = Deliveries()

    @classmethod
    def of(cls, context: object) -> PartErrors:
        """For the request `context` (none of its own: nothing soft to add)."""
        if not isinstance(context, RequestContext):
            return cls([])
        return cls(context.problems, context.carriers, context.listed)

    def translate(self, result: StreamExecutionResult | ExecutionResult) -> None:
        if isinstance(result, SubsequentIncrementalExecutionResult):
            self._subsequent(result)
            return
        data = result.data
        self._note(partial(answered, data))
        if isinstance(result, InitialIncrementalExecutionResult):
            self._deliveries.follow(result)
            result.errors = self._with(result.errors, lambda path: holds(data, path))
        else:  # the whole response in one result
            result.errors = self._with(result.errors, lambda path: True)

    def _subsequent(self, frame: SubsequentIncrementalExecutionResult) -> None:
        delivered = self._deliveries.follow(frame)
        for entry, landing in delivered:
            self._note(_answers_in(entry, landing))
        for entry, landing in delivered:
            _log(entry.errors)
            entry.errors = self._with(entry.errors, partial(landing.holds, entry))
        for completed, landing in zip(
            frame.completed or (), self._deliveries.completed(frame), strict=True
        ):
            if completed.errors:  # the fragment or stream failed: its soft errors go with it
                _log(completed.errors)
                completed.errors = self._with(completed.errors, _under(landing.path))
        if frame.has_next or len(self._sent) == len(self._problems):
            return
        last = [*(frame.incremental or ()), *(c for c in frame.completed or () if c.errors)]
        if not last:  # nothing to carry them: an empty fragment at a path already sent
            carrier = IncrementalDeferResult(data={}, id=self._deliveries.latest())
            frame.incremental = [*(frame.incremental or ()), carrier]
            last = [carrier]
        last[0].errors = self._with(last[0].errors, lambda path: True, translate=False)

    def _note(self, answers: Answers) -> None:
        """Take in the `errors` fields this part holds."""
        for carrier, key in self._carriers:
            if carrier not in self._listing and answers(list(carrier), key):
                self._listing.add(carrier)

    def _listed(self, problem: Problem) -> bool:
        return problem.carrier in self._listing

    def _unsent(self) -> list[tuple[int, Problem]]:
        return [(i, p) for i, p in enumerate(self._problems) if i not in self._sent]

    def _with(
        self, errors: list[GraphQLError] | None, claims: Claims, *, translate: bool = True
    ) -> list[GraphQLError] | None:
        translated = [_translate(e) for e in errors or ()] if translate else list(errors or ())
        for index, problem in self._unsent():
            path = list(problem.path)
            if not (self._listed(problem) or claims(path)):
                continue
            self._sent.add(index)
            log_unexpected(problem.error, path)
            if self._listed(problem):  # the data says it: no GraphQL error beside it
                self._listed_out.append(problem)
                continue
            message, extensions = describe(problem.error)
            translated.append(GraphQLError(message, path=path, extensions=extensions))
        return translated or None


def _under(base: Sequence[str | int]) -> Claims:
    return lambda path: list(path[: len(base)]) == list(base)


def _log(errors: list[GraphQLError] | None) -> None:
    # Strawberry hands only the first part's errors to `Schema.process_errors`.
    log_errors(errors or [])


class ErrorTranslation(SchemaExtension):
    """Gives every error its code, masks the unexpected, adds the soft errors the data does not
    list."""

    _parts: PartErrors | None = None

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        result = execution.result
        # A response sent in parts was translated part by part on its way out, and so was
        # each event of a subscription.
        if self._parts is None and result is not None and not _subscription(execution):
            PartErrors.of(execution.context).translate(result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        if _subscription(self.execution_context):
            # A subscription's events go out one by one, long before the operation ends: each
            # is translated as it goes (its soft errors travel in its own `errors` fields).
            if isinstance(result, ExecutionResult | StrawberryResult):
                result.errors = [_translate(error) for error in result.errors or ()] or None
            yield
            return
        if self._parts is None:
            self._parts = PartErrors.of(self.execution_context.context)
        self._parts.translate(result)
        yield


def _subscription(execution: ExecutionContext) -> bool:
    if execution.graphql_document is None:
        return False
    try:
        return execution.operation_type is OperationType.SUBSCRIPTION
    except RuntimeError:  # no operation by that name, or several without one
        return False
