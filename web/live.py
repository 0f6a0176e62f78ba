"""Subscriptions over WebSocket: Strawberry's graphql-transport-ws handler, with what the graph
adds.

- **Identity from `connection_init`**: the payload carries `Authorization: Bearer <JWT>` and
  `X-Calico-Token` (keys in any case, flat or under `headers`), verified as HTTP headers are;
  a refused token leaves the connection anonymous, and custodial subscriptions then fail with
  UNAUTHENTICATED saying why (as queries do).
- **A context per operation**: each `subscribe` gets a fresh `LiveContext` (new loaders, its
  own deadline) with the connection's caller, never one shared by the whole connection.
- **Limits**: at most `LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION` operations at once on one
  connection (a coded `error` message for the one over it); per user and per process in the hub.
- **Heartbeats**: the server pings every `LIVE_HEARTBEAT_SECONDS`; a connection that has not
  answered the previous ping with a pong by the next one is closed with 4408.
- **Slow consumers**: a subscriber whose queue overflowed closes its connection with 4413
  (`CLOSE_SLOW_CONSUMER`), the reason saying so; graphql-ws clients reconnect and resubscribe,
  and the first event they get is the current state.
- **One share of the event loop**: the connection's operations take turns (one lock) while
  they complete long lists, so eight subscriptions of the whale hold the loop no longer at a
  time than one does.
- **Text frames**: every message goes out as a text frame (the view encodes JSON to bytes, which
  Strawberry would send as binary frames, which browsers' clients cannot read).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    PongMessage,
    SubscribeMessage,
)
from strawberry.utils.aio import aclosing

from resolvers.context import RequestContext
from resolvers.identity import Caller, TokenVerifier
from resolvers.live import LiveContext, LiveHub
from web.caller_rate import user_caller

__all__ = [
    "CLOSE_PONG_TIMEOUT",
    "CLOSE_SLOW_CONSUMER",
    "LiveTransportWSHandler",
    "TextWebSocketAdapter",
    "caller_of_payload",
]

CLOSE_SLOW_CONSUMER = 4413
"""A subscriber did not take its events as fast as they came (its queue overflowed)."""
CLOSE_PONG_TIMEOUT = 4408
"""No pong came for the server's ping within one heartbeat."""
_MAX_REASON_BYTES = 123  # RFC 6455: a close frame's reason fits in 123 bytes


def _reason(text: str) -> str:
    encoded = text.encode("utf-8")[:_MAX_REASON_BYTES]
    return encoded.decode("utf-8", "ignore")


def _lookup(payload: Mapping[str, Any], name: str) -> object:
    for source in (payload, payload.get("headers")):
        if isinstance(source, Mapping):
            for key, value in source.items():
                if isinstance(key, str) and key.lower() == name:
                    return value
    return None


def caller_of_payload(verifier: TokenVerifier, payload: Mapping[str, Any]) -> Caller:
    """The caller a `connection_init` payload proves, as if its entries were HTTP headers."""
    authorization = _lookup(payload, "authorization")
    calico = _lookup(payload, "x-calico-token")
    if authorization is not None and not isinstance(authorization, str):
        return Caller(refusal="connection_init's Authorization must be a string 'Bearer <JWT>'")
    return verifier.caller(authorization, calico if isinstance(calico, str) else None)


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's adapter, sending text frames only."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(message)
        text = encoded.decode("utf-8") if isinstance(encoded, bytes) else encoded
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class LiveTransportWSHandler(BaseGraphQLTransportWSHandler[RequestContext, None]):
    """graphql-transport-ws with identity from `connection_init`, a context per operation,
    limits, heartbeats and slow-consumer closes."""

    _heartbeat_task: asyncio.Task[None] | None = None
    _turns: asyncio.Lock | None = None
    _awaiting_pong = False
    _closing = False

    @property
    def _hub(self) -> LiveHub:
        hub = getattr(self.view, "live_hub", None)
        assert isinstance(hub, LiveHub), "the live hub has not started"
        return hub

    async def handle_connection_init(self, message: Any) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._heartbeat_task is None:
            self._heartbeat_task = asyncio.create_task(self._heartbeat())

    async def handle_pong(self, message: PongMessage) -> None:
        self._awaiting_pong = False

    async def _heartbeat(self) -> None:
        interval = self._hub.policy.heartbeat_seconds
        with contextlib.suppress(WebSocketDisconnected, RuntimeError):
            while True:
                await asyncio.sleep(interval)
                if self._awaiting_pong:
                    await self._close(
                        CLOSE_PONG_TIMEOUT, f"no pong within {interval:g} s of the server's ping"
                    )
                    return
                self._awaiting_pong = True
                await self.send_message({"type": "ping"})

    async def _close(self, code: int, reason: str) -> None:
        if self._closing:
            return
        self._closing = True
        with contextlib.suppress(WebSocketDisconnected, RuntimeError):
            await self.websocket.close(code, _reason(reason))

    def _drop(self, reason: str) -> None:
        """A subscriber of this connection is too slow: close the whole connection now."""
        for operation in list(self.operations.values()):
            if operation.task is not None:
                operation.task.cancel()
        asyncio.get_running_loop().create_task(self._close(CLOSE_SLOW_CONSUMER, reason))

    async def shutdown(self) -> None:
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self._hub.policy.max_per_connection
        if (
            self.connection_acknowledged
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            error = GraphQLError(
                f"this connection has {len(self.operations)} operations open, the limit "
                f"(LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION={limit}); complete one first",
                extensions={"code": "TOO_MANY_SUBSCRIPTIONS"},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

    def _operation_context(self) -> LiveContext:
        connection = self.context
        assert isinstance(connection, LiveContext)
        identity = connection.caller.identity
        # Whose operation it is for the sources' fair queues: the user `connection_init` named,
        # else the client's address.
        key = user_caller(identity.user_id) if identity is not None else connection.address_key
        context = LiveContext.create(connection.services, connection.caller, caller_key=key)
        context.hub = connection.hub
        context.address_key = connection.address_key
        context.on_drop = self._drop
        context.connection_params = connection.connection_params
        # One share of the event loop for the whole connection, however many operations it
        # runs: their long lists complete one at a time (`schema/turns.py`).
        if self._turns is None:
            self._turns = asyncio.Lock()
        context.turns = self._turns
        return context

    async def run_operation(self, operation: Operation[RequestContext, None]) -> None:
        """Strawberry's, with a fresh context for the operation."""
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self._operation_context(),
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except Exception as error:
            if type(error).__name__ == "_OperationStreamClosed":
                return
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
