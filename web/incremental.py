"""`@defer` and `@stream` over HTTP: a response sent in parts as `multipart/mixed`.

A client asks for parts in its `Accept` header, naming the format it reads:

    multipart/mixed;deferSpec=20220824     Apollo Client (`Defer20220824Handler`), Apollo Router,
                                           Relay's network layers: each part's `incremental`
                                           entries name their absolute `path` (a stream's, the
                                           index of its first item) and `label`
    multipart/mixed;incrementalSpec=v0.2   Apollo Client (`GraphQL17Alpha9Handler`): graphql-js
                                           17.0.0-alpha.9's `pending`/`completed` with ids, as
                                           graphql-core 3.3 produces it
    multipart/mixed                        the 2022-08-24 format

Without one of them (curl's `*/*`, `application/json`, a batch) `@defer` and `@stream` are
executed inline and the response is one JSON body, exactly as without the directives
(`schema/delivery.py`).

Strawberry gives the execution (`Schema.stream`: graphql-core's `IncrementalExecutor`, the
schema extensions around the whole stream and `on_stream_result` for each part, where errors are
translated) and the framing (`MultipartTransport`: `multipart/mixed; boundary="-"`, one
`application/json` part per result, a `StreamingResponse`). Its own formatting of the parts is a
mix of both formats with the 2022 `path` of a fragment delivered under a `subPath` and of a
streamed item wrong, so the parts are formatted here (`PartFormatter`) and handed to it whole
(`Part`).

The first part is awaited before the response starts: a request that fails before execution
(does not parse, validate, or stay within the query limits) or has nothing deferred answers as
one JSON body with the usual status, and the response's headers are decided once the initial
part is known (`Cache-Control`: never reusable, private when personal).
"""

from __future__ import annotations

import enum
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql import (
    ExperimentalIncrementalExecutionResults,
    GraphQLError,
    InitialIncrementalExecutionResult,
    SubsequentIncrementalExecutionResult,
)
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.http.types import HTTPMethod
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.context import RequestContext
from schema.incremental import Deliveries, Landing

__all__ = ["IncrementalSpec", "Part", "PartFormatter", "execute_in_parts", "incremental_spec"]

MULTIPART_MIXED = "multipart/mixed"


class IncrementalSpec(enum.Enum):
    """The format of the parts, by the `Accept` parameter that names it."""

    DEFER_2022 = "deferSpec=20220824"
    INCREMENTAL_V02 = "incrementalSpec=v0.2"

    @property
    def content_type(self) -> str:
        return f'{MULTIPART_MIXED}; boundary="-"; {self.value}'


def incremental_spec(accept: str | None) -> IncrementalSpec | None:
    """The format of parts `accept` asks for (the highest `q`; on a tie the first named), or
    None when it accepts no `multipart/mixed` in a format named above (a wildcard does not
    count: curl's `*/*` wants one body)."""
    best: tuple[float, IncrementalSpec] | None = None
    for item in (accept or "").split(","):
        media_type, *rest = (part.strip() for part in item.split(";"))
        if media_type.lower() != MULTIPART_MIXED:
            continue
        parameters = {}
        for parameter in rest:
            name, _, value = parameter.partition("=")
            parameters[name.strip().lower()] = value.strip().strip("\"'")
        spec = _spec(parameters)
        try:
            quality = float(parameters.get("q", "1"))
        except ValueError:
            continue
        if spec is not None and quality > 0 and (best is None or quality > best[0]):
            best = (quality, spec)
    return best[1] if best else None


def _spec(parameters: dict[str, str]) -> IncrementalSpec | None:
    if parameters.get("incrementalspec") == "v0.2":
        return IncrementalSpec.INCREMENTAL_V02
    if parameters.get("deferspec", "20220824") == "20220824" and not (
        {"incrementalspec", "subscriptionspec"} & parameters.keys()
    ):
        return IncrementalSpec.DEFER_2022
    return None  # another format (a subscription's, another draft's)


@dataclass
class Part(ExecutionResult):
    """One part of the response, already in its wire format (`body`)."""

    body: dict[str, Any] | None = None


def _errors(errors: list[GraphQLError] | None) -> dict[str, Any]:
    return {"errors": [error.formatted for error in errors]} if errors else {}


def _extensions(extensions: dict[str, Any] | None) -> dict[str, Any]:
    return {"extensions": extensions} if extensions else {}


class PartFormatter:
    """Writes one response's parts in its format, in order."""

    def __init__(self, spec: IncrementalSpec) -> None:
        self._spec = spec
        self._deliveries = Deliveries()

    def initial(self, frame: InitialIncrementalExecutionResult) -> Part:
        self._deliveries.follow(frame)
        body: dict[str, Any] = {"data": frame.data, **_errors(frame.errors)}
        if self._spec is IncrementalSpec.INCREMENTAL_V02:
            body["pending"] = [pending.formatted for pending in frame.pending]
        body["hasNext"] = frame.has_next
        return _part({**body, **_extensions(frame.extensions)})

    def subsequent(self, frame: SubsequentIncrementalExecutionResult) -> Part:
        landed = self._deliveries.follow(frame)
        if self._spec is IncrementalSpec.INCREMENTAL_V02:
            return _part(dict(frame.formatted))
        entries = [_entry_2022(entry.formatted, landing) for entry, landing in landed]
        for completed, landing in zip(
            frame.completed or (), self._deliveries.completed(frame), strict=True
        ):
            if completed.errors:  # the fragment or stream failed as a whole
                value = "data" if landing.start is None else "items"
                entries.append(_entry_2022({value: None, **_errors(completed.errors)}, landing))
        body: dict[str, Any] = {"incremental": entries} if entries else {}
        return _part({**body, "hasNext": frame.has_next, **_extensions(frame.extensions)})


def _entry_2022(formatted: Any, landing: Landing) -> dict[str, Any]:
    entry = {k: v for k, v in formatted.items() if k not in ("id", "subPath")}
    path = landing.path if landing.start is None else [*landing.path, landing.start]
    label = {"label": landing.label} if landing.label is not None else {}
    return {**entry, "path": path, **label}


def _part(body: dict[str, Any]) -> Part:
    return Part(data=None, errors=None, body=body)


async def execute_in_parts(
    schema: BaseSchema,
    method: HTTPMethod,
    request: GraphQLRequestData,
    context: RequestContext,
    spec: IncrementalSpec,
) -> ExecutionResult | ExperimentalIncrementalExecutionResults:
    """Run `request` to be sent in parts: its initial part and a stream of the later ones,
    or (nothing deferred, or a failure before execution) its one result.

    Raises `HTTPException` where Strawberry's `execute_single` does (400: no query, no such
    operation, an operation type the method does not allow)."""
    context.deliver_incrementally = True
    allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}
    frames = await schema.stream(
        request.query,  # None: a MissingQueryError, raised again below
        variable_values=request.variables,
        context_value=context,
        operation_name=request.operation_name,
        operation_extensions=request.extensions,
        allowed_operation_types=allowed,
    )
    first = await anext(frames)
    if isinstance(first, InitialIncrementalExecutionResult):
        formatter = PartFormatter(spec)
        return ExperimentalIncrementalExecutionResults(
            initial_result=formatter.initial(first),  # type: ignore[arg-type]
            subsequent_results=_later(frames, formatter),  # type: ignore[arg-type]
        )
    async for _ in frames:  # ends the operation: its extensions finish their work
        pass
    _raise_as_strawberry_does(first, method)
    if isinstance(first, ExecutionResult):
        return first
    assert isinstance(first, GraphQLExecutionResult)
    return ExecutionResult(data=first.data, errors=first.errors, extensions=first.extensions)


async def _later(
    frames: AsyncGenerator[Any, None], formatter: PartFormatter
) -> AsyncIterator[Part]:
    try:
        async for frame in frames:
            assert isinstance(frame, SubsequentIncrementalExecutionResult)
            yield formatter.subsequent(frame)
    finally:
        await frames.aclose()  # a client gone: what is still running is cancelled


def _raise_as_strawberry_does(result: Any, method: HTTPMethod) -> None:
    """`Schema.stream` reports as an error what `Schema.execute` raises; raise it again, so
    the view answers it as it answers any request."""
    errors: list[GraphQLError] = getattr(result, "errors", None) or []
    original = errors[0].original_error if len(errors) == 1 else None
    if isinstance(original, CannotGetOperationTypeError):
        raise HTTPException(400, original.as_http_error_reason()) from original
    if isinstance(original, InvalidOperationTypeError):
        raise HTTPException(400, original.as_http_error_reason(method)) from original
    if isinstance(original, MissingQueryError):
        raise HTTPException(400, "No GraphQL query found in the request") from original
