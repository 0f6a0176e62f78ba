"""ASGI middleware in front of every route: the request id, and the request body limit.

`RequestIdMiddleware` gives each HTTP request an id: the caller's `X-Request-Id` when it is
well formed (1 to 64 of `A-Z a-z 0-9 . _ -`, so a header cannot inject into logs), a new one
otherwise. The id is set in `sources.observe.REQUEST_ID` for the request (logs carry it, and
`HttpUpstream` forwards it upstream) and returned in the response's `X-Request-Id`.

`BodyLimitMiddleware` refuses a body over `MAX_REQUEST_BYTES` with 413 and a GraphQL-shaped
JSON error, before the app reads any of it: a declared `Content-Length` over the limit is refused
unread; otherwise (chunked bodies included) at most limit + 1 bytes are read, then the body is
replayed to the app.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sources.observe import REQUEST_ID

__all__ = ["BodyLimitMiddleware", "RequestIdMiddleware", "RequestObserver"]

_WELL_FORMED_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

RequestObserver = Callable[[str, str, int, float], None]
"""Told of each finished HTTP request: (method, path, status, seconds)."""


class RequestIdMiddleware:
    """Sets the request id for the request's duration and returns it in `X-Request-Id`."""

    def __init__(self, app: ASGIApp, observer: RequestObserver | None = None) -> None:
        self.app = app
        self._observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_id(scope) or secrets.token_hex(16)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
            if self._observer is not None:
                self._observer(
                    scope["method"], scope["path"], status, time.perf_counter() - started
                )


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"x-request-id":
            text = value.decode("latin-1")
            return text if _WELL_FORMED_ID.fullmatch(text) else None
    return None


class BodyLimitMiddleware:
    """Answers 413 to an HTTP request whose body is over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self._max_bytes:
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        error = {
            "message": f"the request body is larger than MAX_REQUEST_BYTES={self._max_bytes}",
            "extensions": {"code": "BAD_USER_INPUT"},
        }
        body = json.dumps({"data": None, "errors": [error]}).encode("utf-8")
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode("ascii")),
                    (b"cache-control", b"no-store"),
                    # The rest of the body is left unread: the connection cannot be reused.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
