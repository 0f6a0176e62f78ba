"""Test clients of the two subscription protocols, speaking them over real sockets.

`TransportWS` is graphql-transport-ws over aiohttp's WebSocket client (it answers the server's
pings unless told not to); `EventStream` reads one graphql-sse (distinct connections) response.
The real clients (graphql-ws, Apollo Client, graphql-sse, a browser's EventSource) have tests
of their own in tests/ecosystem.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

__all__ = ["EventStream", "TransportWS", "event_stream"]

WAIT = 30.0
"""Generous: the machine is shared; nothing asserts how long an event took."""


@dataclass
class TransportWS:
    ws: aiohttp.ClientWebSocketResponse
    answer_pings: bool = True
    messages: defaultdict[str, asyncio.Queue[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(asyncio.Queue)
    )
    pings: int = 0
    reader: asyncio.Task[None] | None = None
    close_reason: str = ""

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls,
        http: aiohttp.ClientSession,
        url: str,
        payload: Mapping[str, Any] | None = None,
        *,
        answer_pings: bool = True,
        read: bool = True,
        origin: str | None = None,
    ) -> AsyncIterator[TransportWS]:
        """A connection that sent `connection_init` and got its ack (`read=False`: nothing is
        read after the ack until `start_reading`, a slow consumer; `origin`: the handshake's
        `Origin`, as a browser page of that origin sends it)."""
        ws_url = url.replace("http://", "ws://", 1)
        headers = {"Origin": origin} if origin is not None else None
        async with http.ws_connect(
            ws_url, protocols=["graphql-transport-ws"], max_msg_size=0, headers=headers
        ) as ws:
            client = cls(ws, answer_pings)
            message: dict[str, Any] = {"type": "connection_init"}
            if payload is not None:
                message["payload"] = dict(payload)
            await ws.send_json(message)
            ack = await asyncio.wait_for(ws.receive_json(), WAIT)
            assert ack["type"] == "connection_ack", ack
            if read:
                client.start_reading()
            try:
                yield client
            finally:
                if client.reader is not None:
                    client.reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await client.reader

    def start_reading(self) -> None:
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            frame = await self.ws.receive()
            if frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                self.close_reason = str(frame.extra or "")
                return
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            if message.get("type") == "ping":
                self.pings += 1
                if self.answer_pings:
                    await self.ws.send_json({"type": "pong"})
                continue
            self.messages[str(message.get("id", ""))].put_nowait(message)

    async def subscribe(
        self, id: str, query: str, variables: Mapping[str, Any] | None = None
    ) -> None:
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = dict(variables)
        await self.ws.send_json({"id": id, "type": "subscribe", "payload": payload})

    async def message(self, id: str, within: float = WAIT) -> dict[str, Any]:
        """The next message for operation `id` (next, error or complete)."""
        return await asyncio.wait_for(self.messages[id].get(), within)

    async def next(self, id: str, within: float = WAIT) -> dict[str, Any]:
        """The next `next` payload for `id` (its `data` and `errors`)."""
        message = await self.message(id, within)
        assert message["type"] == "next", message
        payload: dict[str, Any] = message["payload"]
        return payload

    def pending(self, id: str) -> int:
        return self.messages[id].qsize()

    async def complete(self, id: str) -> None:
        await self.ws.send_json({"id": id, "type": "complete"})

    async def closed(self, within: float = WAIT) -> tuple[int | None, str]:
        """Read until the server closes; its close code and reason."""
        if self.reader is None:
            self.start_reading()
        assert self.reader is not None
        await asyncio.wait_for(self.reader, within)
        return self.ws.close_code, self.close_reason


@dataclass
class EventStream:
    """One SSE response, read event by event."""

    response: aiohttp.ClientResponse
    comments: int = 0
    _buffer: bytes = b""

    async def event(self, within: float = WAIT) -> tuple[str, str]:
        """The next (event, data) pair; comments are counted and skipped."""
        async with asyncio.timeout(within):
            while True:
                block = await self._block()
                lines = block.decode("utf-8").splitlines()
                if all(line.startswith(":") for line in lines if line):
                    self.comments += 1
                    continue
                name, data = "message", []
                for line in lines:
                    key, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if key == "event":
                        name = value
                    elif key == "data":
                        data.append(value)
                return name, "\n".join(data)

    async def next(self, within: float = WAIT) -> dict[str, Any]:
        """The next `next` event's result."""
        name, data = await self.event(within)
        assert name == "next", (name, data)
        result: dict[str, Any] = json.loads(data)
        return result

    async def _block(self) -> bytes:
        while True:
            for separator in (b"\r\n\r\n", b"\n\n"):
                at = self._buffer.find(separator)
                if at >= 0:
                    block, self._buffer = self._buffer[:at], self._buffer[at + len(separator) :]
                    return block
            chunk = await self.response.content.readany()
            if not chunk:
                raise EOFError("the event stream ended")
            self._buffer += chunk


@contextlib.asynccontextmanager
async def event_stream(
    http: aiohttp.ClientSession,
    url: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    method: str = "POST",
) -> AsyncIterator[EventStream]:
    """A graphql-sse request (distinct connections mode), by POST or GET."""
    sent = {"accept": "text/event-stream", **(headers or {})}
    if method == "GET":
        params = {"query": query}
        if variables is not None:
            params["variables"] = json.dumps(variables)
        request = http.get(url, params=params, headers=sent)
    else:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        request = http.post(url, json=body, headers=sent)
    async with request as response:
        yield EventStream(response)
