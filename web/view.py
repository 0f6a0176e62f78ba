"""The GraphQL endpoint at `/graphql`: Strawberry's ASGI view, speaking GraphQL over HTTP.

Each request gets a fresh `RequestContext` (new loaders, the caller read from its headers) built
from the app-lifetime `Services` that the lifespan put in `AppState`.

Over Strawberry's view this adds what the GraphQL-over-HTTP draft asks
(https://graphql.github.io/graphql-over-http/draft/) and Strawberry leaves out:

- the response media type is negotiated (`web/negotiation.py`): with
  `application/graphql-response+json` a request that never reached execution (a body that is not
  a GraphQL request, a document that does not parse or validate, variables that do not coerce)
  answers 400, one that executed answers 200; with `application/json` every well-formed request
  answers 200, errors or not; neither acceptable: 406;
- a mutation sent by `GET` is 405 with `Allow: POST`; another method is 405 with `Allow: GET,
  POST`; a `POST` body that is not `application/json` (UTF-8) is 415;
- malformed requests (not JSON, not an object, no `query`, a `query` that is not a string,
  `variables` that are not an object) are 4xx with a GraphQL-shaped body whose message says what
  was wrong;
- before anything runs: the credential headers are checked (`web/credentials.py`: each once,
  bounded), the caller's rate (`web/caller_rate.py`: 429 `RATE_LIMITED`), a `Content-Encoding`
  (415); the JSON is read strictly (`web/body.py`: UTF-8, depth, long numbers; the media type in
  any case), and several operations need an `operationName` (`web/operations.py`);
- messages echo at most a clipped slice of the input (`web/echo.py`);
- every response carries `Cache-Control` and `Vary` (`web/cache_control.py`);
- GraphiQL is served from the app's own files, never a CDN (`web/graphiql.py`);
- persisted queries, automatic (Apollo's APQ) or trusted documents only (`web/persisted.py`), by
  POST and by GET (a GET with `extensions` is a request, never GraphiQL's page);
- operation batching, a JSON array of operations (`web/batching.py`);
- `@defer` and `@stream` sent in parts as `multipart/mixed` to a client that asks for them in
  `Accept` (`web/incremental.py`); to any other, one body with everything;
- subscriptions over WebSocket (graphql-transport-ws, `web/live.py`) and Server-Sent Events
  (graphql-sse's distinct connections mode, `web/sse.py`), on the app's live hub.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import ExperimentalIncrementalExecutionResults
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, GraphQLRequestProtocol
from strawberry.http import process_result as strawberry_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from resolvers.context import RequestContext, Services
from resolvers.identity import Caller
from resolvers.live import LiveContext, LiveHub
from schema import HoldingsSchema, schema
from web.batching import BatchPolicy, merge_contexts, operation_contexts, refused
from web.body import BodyAdapter, content_coding_refusal, read_json
from web.cache_control import VARY, CachePolicy
from web.caller_rate import CallerRates, address_caller, user_caller
from web.cors import CorsPolicy
from web.credentials import credential_refusal
from web.echo import clip, clip_message
from web.encoding import encode_json
from web.graphiql import GraphiQLPage
from web.incremental import IncrementalSpec, Part, execute_in_parts, incremental_spec
from web.live import LiveTransportWSHandler, TextWebSocketAdapter, caller_of_payload
from web.negotiation import GRAPHQL_RESPONSE_JSON, JSON, response_media_type
from web.operations import several_operations_refusal
from web.persisted import PersistedQueries, Refusal
from web.refusal import RequestRefusal
from web.response_limit import ResponseLimit
from web.sse import sse_transport, wants_event_stream

__all__ = ["AppState", "GraphQLView"]

_REQUEST_ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
}


@dataclass
class AppState:
    """What the lifespan opened; `services` is None before start-up and after shutdown."""

    services: Services | None = None
    #: The live subscriptions' hub (started with the services).
    live: LiveHub | None = None


class _Refused(HTTPException):
    """A request refused with a code of its own (a persisted query's)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.status, refusal.message)
        self.code = refusal.code


@dataclass
class _RefusedOperation(GraphQLRequestData):
    """An operation of a batch refused before execution (its persisted query)."""

    refusal: Refusal | None = None


def _executed(result: ExecutionResult) -> bool:
    # Errors without a path are request errors (parse, validation, variable coercion):
    # execution never started. A field error always has its path.
    return not (result.data is None and all(e.path is None for e in result.errors or ()))


@dataclass
class _Exchange:
    """What one request's execution left for the response (kept on `request.state`)."""

    context: RequestContext | None = None
    #: Who the credential headers prove (read once: the rate limit and the context need it).
    caller: Caller | None = None
    executed: bool = False
    errors: bool = False
    #: The format of parts the client reads, if it asked for parts; `in_parts`: it gets them.
    spec: IncrementalSpec | None = None
    in_parts: bool = False
    #: A batch's count of operations (None: one operation).
    operations: int | None = None


def _caller_key(request: Request, caller: Caller) -> str:
    """Whose request this is, for the caller's rate and the sources' fair queues."""
    identity = caller.identity
    if identity is not None:
        return user_caller(identity.user_id)
    return address_caller(request.client.host if request.client else None)


def _exchange(request: Request) -> _Exchange:
    exchange = getattr(request.state, "graphql_exchange", None)
    if not isinstance(exchange, _Exchange):
        exchange = request.state.graphql_exchange = _Exchange()
    return exchange


class GraphQLView(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with our typed per-request context, over GraphQL over HTTP."""

    request_adapter_class = BodyAdapter
    graphql_transport_ws_handler_class = LiveTransportWSHandler
    websocket_adapter_class = TextWebSocketAdapter

    def __init__(
        self,
        state: AppState,
        *,
        schema: HoldingsSchema = schema,
        cache: CachePolicy,
        graphiql: GraphiQLPage | None = None,
        caller_rates: CallerRates | None = None,
        persisted: PersistedQueries | None = None,
        batching: BatchPolicy | None = None,
        heartbeat_seconds: float = 15.0,
        responses: ResponseLimit | None = None,
        origins: CorsPolicy | None = None,
    ) -> None:
        """`graphiql`: the page a browser gets at `/graphql`; None turns GraphiQL off.
        `origins`: the pages of other origins that may call it, by fetch or WebSocket."""
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql is not None else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL),
            # Counted by our handler, with a coded error (web/live.py).
            max_subscriptions_per_connection=None,
        )
        self.stream_transport_classes_by_protocol = {
            **self.stream_transport_classes_by_protocol,
            GRAPHQL_SSE_PROTOCOL: sse_transport(heartbeat_seconds),
        }
        self._schema = schema
        self._state = state
        self._cache = cache
        self._graphiql = graphiql
        self._caller_rates = caller_rates
        self._persisted = persisted or PersistedQueries()
        self._batching = batching or BatchPolicy(max_operations=0)
        self._responses = responses or ResponseLimit(max_bytes=32 * 1024 * 1024)
        self._origins = origins or CorsPolicy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        response = await self._respond(request)
        response.headers["Vary"] = VARY
        await response(scope, receive, send)

    def is_websocket_origin_allowed(self, request: WebSocket, origin: str) -> bool:
        # Browsers apply no CORS to WebSockets: Strawberry accepts a handshake without `Origin`
        # (not a browser) or from the graph's own origin, and asks here for any other page.
        # The pages CORS lets call the graph by fetch may subscribe too; no other.
        return self._origins.allows(origin)

    @property
    def live_hub(self) -> LiveHub | None:
        return self._state.live

    async def _respond(self, request: Request) -> Response:
        if wants_event_stream(request.headers.get("accept")):
            return await self._event_stream(request)
        exchange = _exchange(request)
        ide = self.should_render_graphql_ide(self.request_adapter_class(request))
        if ide and self._graphiql is not None:
            page = await self.render_graphql_ide(request)
            page.headers["Cache-Control"] = "no-cache"
            return page
        accept = request.headers.get("accept")
        media_type = response_media_type(accept)
        exchange.spec = incremental_spec(accept)
        if media_type is None and exchange.spec is not None:
            media_type = JSON  # what is not sent in parts comes as one body
        try:
            if ide:
                raise HTTPException(
                    404,
                    "GraphiQL is turned off on this server (GRAPHIQL=false); send a query: "
                    "POST it, or GET /graphql?query=...",
                )
            refusal = credential_refusal(request.scope["headers"])
            if refusal is not None:
                raise refusal
            await self._admit(request, self._caller(request))
            self._check_request(request, media_type)
            response = await self.run(request)
            exchange.errors |= self._responses.hold(response, exchange.operations)
        except HTTPException as error:
            response = self._request_error(request, error, media_type or JSON)
        else:
            if exchange.in_parts and exchange.spec is not None:
                response.headers["Content-Type"] = exchange.spec.content_type
            elif media_type == GRAPHQL_RESPONSE_JSON:
                response.headers["Content-Type"] = GRAPHQL_RESPONSE_JSON
                if not exchange.executed:
                    response.status_code = 400
        context = exchange.context
        personal = self._cache.sent_credentials(request.headers) or (
            context is not None and context.personal
        )
        reusable = (
            response.status_code == 200
            and not exchange.in_parts  # its headers go out before its errors are known
            and exchange.executed
            and not exchange.errors
            and context is not None
            and context.read_only
        )
        response.headers["Cache-Control"] = self._cache.header(personal=personal, reusable=reusable)
        return response

    async def _event_stream(self, request: Request) -> Response:
        """An operation over Server-Sent Events (`web/sse.py`); refusals as plain JSON."""
        try:
            refusal = credential_refusal(request.scope["headers"])
            if refusal is not None:
                raise refusal
            await self._admit(request, self._caller(request))
            if request.method == "POST":
                self._check_request(request, JSON)
            elif request.method != "GET":
                raise HTTPException(
                    405, f"an event stream is a GET or a POST, not {request.method}"
                )
            return await self.run(request)
        except HTTPException as error:
            return self._request_error(request, error, JSON)

    def _caller(self, request: Request) -> Caller:
        exchange = _exchange(request)
        if exchange.caller is None:
            services = self._state.services
            if services is None:
                raise RuntimeError("the app's lifespan has not started")
            exchange.caller = services.verifier.caller(
                request.headers.get("authorization"), request.headers.get("x-calico-token")
            )
        return exchange.caller

    async def _admit(self, request: Request, caller: Caller) -> None:
        """Refuses (429) a request over its caller's rate."""
        if self._caller_rates is None:
            return
        identity = caller.identity
        wait = await self._caller_rates.admit(_caller_key(request, caller))
        if wait is None:
            return
        rate = self._caller_rates.rate
        seconds = max(1, math.ceil(wait))
        raise RequestRefusal(
            429,
            f"too many requests from this {'user' if identity is not None else 'address'}: at "
            f"most {rate.per_second:g} a second, {rate.burst} at once (CALLER_RATE_PER_SECOND, "
            f"CALLER_RATE_BURST); retry in {seconds} s",
            code="RATE_LIMITED",
            headers={"Retry-After": str(seconds)},
            extensions={"retryAfterSeconds": seconds},
        )

    def _check_request(self, request: Request, media_type: str | None) -> None:
        """Refuses what GraphQL over HTTP refuses before reading the body."""
        if request.method not in ("GET", "POST"):
            raise HTTPException(
                405, f"GraphQL over HTTP takes GET (queries) and POST, not {request.method}"
            )
        if media_type is None:
            raise HTTPException(
                406,
                f"Accept: {clip(request.headers.get('accept') or '')!r} accepts neither "
                f"{GRAPHQL_RESPONSE_JSON} nor {JSON}",
            )
        if request.method == "POST":
            sent = request.headers.get("content-type")
            mime, parameters = parse_content_type(sent or "")
            charset = parameters.get("charset", "utf-8").lower()
            if sent is None or mime.lower() != JSON or charset not in ("utf-8", "utf8"):
                what = (
                    f"Content-Type: {clip(sent)!r} is not supported" if sent else "no Content-Type"
                )
                raise HTTPException(415, f"{what}; POST a JSON object as {JSON} (UTF-8)")
            refusal = content_coding_refusal(request.headers.get("content-encoding"))
            if refusal is not None:
                raise refusal

    def _request_error(self, request: Request, error: HTTPException, media_type: str) -> Response:
        headers: dict[str, str] = {}
        extensions: dict[str, object] = {}
        code = _REQUEST_ERROR_CODES.get(error.status_code, "BAD_REQUEST")
        if isinstance(error, RequestRefusal):
            headers.update(error.headers)
            extensions.update(error.extensions)
            code = error.code or code
        if error.status_code == 405:
            headers["Allow"] = "POST" if request.method == "GET" else "GET, POST"
        code = getattr(error, "code", None) or code  # a persisted query's refusal
        extensions["code"] = code
        body = {"errors": [{"message": clip_message(error.reason), "extensions": extensions}]}
        # Our encoder, not JSONResponse's: the message may echo the request's own text, and a
        # lone surrogate in it must become an escape, not a UnicodeEncodeError.
        return Response(
            encode_json(body),
            status_code=error.status_code,
            headers=headers,
            media_type=media_type if error.status_code != 406 else JSON,
        )

    def encode_json(self, data: object) -> bytes:
        return encode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        parsed = read_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(
                400,
                "Expected a JSON object: the body of a POST, and the `variables` and "
                "`extensions` of a GET, are JSON objects",
            )
        return parsed

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET with `extensions` (a persisted query's hash, without `query`) is a client's
        # request, not a browser opening the page.
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def parse_http_body(
        self, request_adapter: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        parsed = await super().parse_http_body(request_adapter)
        if not isinstance(parsed, list):
            resolved = await self._persisted.resolve(parsed)
            if isinstance(resolved, Refusal):
                raise _Refused(resolved)
            return resolved
        return [await self._resolve_in_batch(operation) for operation in parsed]

    async def _resolve_in_batch(self, operation: GraphQLRequestData) -> GraphQLRequestData:
        resolved = await self._persisted.resolve(operation)
        if isinstance(resolved, Refusal):
            return _RefusedOperation(None, None, None, None, refusal=resolved)
        return resolved

    def _validate_batch_request(
        self, request_data: list[GraphQLRequestData], protocol: GraphQLRequestProtocol
    ) -> None:
        # Strawberry's own check reads the schema's static config; ours, the settings (and the
        # shape of each item, which Strawberry would read unchecked).
        self._batching.check(request_data)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: RequestContext,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        if not isinstance(request_data, list):
            # Parts for the one operation of a request that asked for them, never in a batch.
            context.deliver_incrementally = _exchange(request).spec is not None
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        return await self._execute_batch(
            request, request_adapter, sub_response, context, request_data
        )

    async def _execute_batch(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        batch: Sequence[GraphQLRequestData],
    ) -> list[ExecutionResult]:
        _exchange(request).operations = len(batch)
        runnable = [op for op in batch if not isinstance(op, _RefusedOperation)]
        too_complex = self._batching.over_limits(self._schema._schema, runnable, context.options)
        if too_complex is not None:
            return [refused(too_complex.code, too_complex.message) for _ in batch]
        contexts = operation_contexts(context, len(batch))

        async def one(operation: GraphQLRequestData, own: RequestContext) -> ExecutionResult:
            if isinstance(operation, _RefusedOperation) and operation.refusal is not None:
                return refused(operation.refusal.code, operation.refusal.message)
            try:
                return await self.execute_single(
                    request, request_adapter, sub_response, own, None, operation
                )
            except HTTPException as error:  # this operation's alone (no query, no such name)
                code = _REQUEST_ERROR_CODES.get(error.status_code, "BAD_REQUEST")
                return refused(code, error.reason)

        results = await asyncio.gather(*map(one, batch, contexts))
        merge_contexts(context, contexts)
        return list(results)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: RequestContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        refusal = several_operations_refusal(
            request_data.query, request_data.operation_name, context.options.max_query_tokens
        )
        if refusal is not None:
            raise refusal
        exchange = _exchange(request)
        try:
            if context.deliver_incrementally and exchange.spec is not None:
                outcome = await execute_in_parts(
                    self.schema, request_adapter.method, request_data, context, exchange.spec
                )
                if isinstance(outcome, ExperimentalIncrementalExecutionResults):
                    exchange.in_parts = True
                    await self._persisted.executed(request_data)
                    return outcome  # type: ignore[return-value]  # Strawberry's `run` sends it
                result = outcome
            else:
                result = await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
        except HTTPException as error:
            if request_adapter.method == "GET" and isinstance(
                error.__cause__, InvalidOperationTypeError
            ):
                raise HTTPException(
                    405, "a mutation cannot be sent by GET (GET is for queries); POST it"
                ) from error
            raise
        if _executed(result):
            await self._persisted.executed(request_data)
        return result

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if isinstance(result, Part) and result.body is not None:
            return result.body  # type: ignore[return-value]  # a part, already formatted
        exchange = _exchange(request)
        executed = _executed(result)
        # A batch's results come one by one: the response executed if any of them did.
        exchange.executed = exchange.executed or executed
        exchange.errors = exchange.errors or bool(result.errors)
        response = strawberry_result(result)
        for error in response.get("errors") or ():
            # GraphQL's own messages quote the document's names and the variables' values.
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                error["message"] = clip_message(error["message"])
        if not executed:
            # "If an error was raised before execution begins, the data entry should not be
            # present in the result" (GraphQL spec, Response Format).
            response.pop("data", None)
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        assert self._graphiql is not None, "GraphiQL is off"
        return HTMLResponse(self._graphiql.html)

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        services = self._state.services
        if services is None:
            raise RuntimeError("the app's lifespan has not started")
        caller = self._caller(request)
        key = _caller_key(request, caller)
        if request.scope["type"] == "websocket" or wants_event_stream(
            request.headers.get("accept")
        ):
            # May subscribe: WebSocket connections (whose operations get contexts of their
            # own, web/live.py) and event streams.
            live = LiveContext.create(services, caller, caller_key=key)
            live.hub = self._state.live
            live.address_key = address_caller(request.client.host if request.client else None)
            return live
        context = RequestContext.create(services, caller, caller_key=key)
        _exchange(request).context = context
        return context

    async def on_ws_connect(self, context: RequestContext) -> UnsetType | dict[str, object] | None:
        """`connection_init`: the payload's Authorization and X-Calico-Token name the caller."""
        services = self._state.services
        if isinstance(context, LiveContext) and services is not None:
            params = context.connection_params or {}
            if params:
                context.caller = caller_of_payload(services.verifier, params)
        unset: UnsetType = UNSET
        return unset
