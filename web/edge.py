"""HTTP/1.1 limits at the edge: what a connection may cost before the app sees a request.

uvicorn (with httptools) bounds none of this: a request's headers may be of any size and number
(httptools buffers a header until it ends, so a 100 MB header is 100 MB of memory and a long
parse), a connection that sends nothing, or half a request, is kept forever, and a client that
never reads keeps its whole response in the transport's buffer. Its `limit_concurrency` answers
503 to every request once the connections *or* the tasks reach the cap, so idle sockets still
lock real clients out; `h11_max_incomplete_event_size` exists only for the h11 parser.

`EdgeHttpProtocol` is uvicorn's httptools protocol with the missing limits (an ASGI middleware
could not help: it runs only once the headers have been parsed whole):

- **header size and count**: the request line and header fields together at most
  `max_header_bytes` (a longer URL: 414, more bytes: 431), at most `max_header_count` fields
  (431). Bytes are counted as they arrive, so an endless header is refused after at most the limit
  plus one read, not buffered.
- **time to receive the headers** (`header_timeout`), from the connection's opening or the first
  byte of a request on a kept-alive connection, and **the body** (`body_timeout`) from the end of
  the headers: slowloris headers, silent sockets and trickled bodies get 408 and are closed.
- **a write timeout** (`write_timeout`): while the client is behind (the transport's buffer over
  its high-water mark), it must take some bytes every `write_timeout` seconds, or the connection is
  aborted and its buffer freed.
- **a connection cap** (`max_connections`) per process: a connection over the cap first evicts the
  oldest connection that is not running a request (idle, silent, or still sending headers); when
  every connection is busy, the newcomer is answered 503 and closed.

Refusals carry a GraphQL-shaped JSON body with `extensions.code` and `Connection: close`; the
connection then reads (and drops) what the client still sends for a moment, so the client can
read the answer instead of a reset.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

__all__ = ["EdgeConfig", "EdgeHttpProtocol", "EdgeLimits"]

logger = logging.getLogger("holdings_graph.edge")

_LINGER_SECONDS = 1.0
"""How long a refused connection keeps reading (and dropping) before it is closed."""
_LINGER_BYTES = 1024 * 1024
"""How much a refused connection drops before it is closed at once."""
_LOG_EVERY_SECONDS = 10.0
"""One log line per kind of refusal at most this often (a flood would write one per socket)."""


@dataclass(frozen=True, slots=True)
class EdgeLimits:
    """What one connection may cost; see the module's docstring (settings in `settings.py`)."""

    max_header_bytes: int = 32 * 1024
    max_header_count: int = 100
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    write_timeout: float = 30.0
    max_connections: int = 1000


class EdgeConfig(Config):
    """uvicorn's `Config` serving with `EdgeHttpProtocol` under `edge` limits.

    The limits travel on the config because uvicorn builds each protocol from it (and pickles it
    to the processes of `--workers N`)."""

    def __init__(self, app: Any, *, edge: EdgeLimits, **options: Any) -> None:
        super().__init__(app, http=EdgeHttpProtocol, **options)
        self.edge = edge


class _Throttled:
    """Logs a kind of event at most once per `_LOG_EVERY_SECONDS`, with how many were folded."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}
        self._folded: dict[str, int] = {}

    def log(self, kind: str, message: str, client: str | None) -> None:
        now = time.monotonic()
        last = self._last.get(kind)
        if last is not None and now - last < _LOG_EVERY_SECONDS:
            self._folded[kind] = self._folded.get(kind, 0) + 1
            return
        folded = self._folded.pop(kind, 0)
        self._last[kind] = now
        logger.info(
            "connection refused: %s%s",
            message,
            f" ({folded} more of this kind since the last such line)" if folded else "",
            extra={"refusal": kind, "client": client, "folded": folded},
        )


_LOG = _Throttled()


def _refusal_bytes(status: int, reason: str, code: str, message: str) -> bytes:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "cache-control: no-store\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class EdgeHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol bounded by `config.edge` (an `EdgeLimits`)."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = getattr(config, "edge", None)
        self._limits: EdgeLimits = limits if isinstance(limits, EdgeLimits) else EdgeLimits()
        self._opened = self.loop.time()
        # Between requests, or receiving a request's headers (not its body).
        self._awaiting_headers = True
        self._bytes_awaiting = 0  # bytes received while awaiting headers (memory guard)
        self._header_size = 0  # the request line and fields parsed so far (exact)
        self._header_count = 0
        self._refusal: tuple[int, str, str, str] | None = None
        self._timer: asyncio.TimerHandle | None = None  # the header or the body timeout
        self._write_timer: asyncio.TimerHandle | None = None
        self._write_mark = 0
        self._lingering = False
        self._dropped = 0

    # Connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._limits.max_connections and not self._evict_one():
            self.connections.discard(self)
            _LOG.log(
                "connections",
                f"{len(self.connections)} connections, every one running a request "
                f"(MAX_CONNECTIONS={self._limits.max_connections})",
                self._client_text(),
            )
            self._refuse(
                503,
                "Service Unavailable",
                "SERVICE_UNAVAILABLE",
                f"the server has {self._limits.max_connections} connections open, each running "
                "a request (MAX_CONNECTIONS); try again shortly",
            )
            return
        self._arm(self._limits.header_timeout, self._headers_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        # The connection now belongs to the WebSocket protocol and its own timeouts.
        self._disarm()
        self._awaiting_headers = False
        super().handle_websocket_upgrade()

    def _evict_one(self) -> bool:
        """Closes the oldest other connection not running a request; whether there was one."""
        idle = [
            connection
            for connection in self.connections
            if isinstance(connection, EdgeHttpProtocol)
            and connection is not self
            and connection._idle()
        ]
        if not idle:
            return False
        oldest = min(idle, key=lambda connection: connection._opened)
        _LOG.log(
            "evicted",
            f"over MAX_CONNECTIONS={self._limits.max_connections}: closed the oldest connection "
            "running no request",
            oldest._client_text(),
        )
        oldest.connections.discard(oldest)
        oldest.transport.abort()
        return True

    def _idle(self) -> bool:
        return not self._lingering and (self.cycle is None or self.cycle.response_complete)

    def _client_text(self) -> str | None:
        return self.client[0] if self.client else None

    # Reading

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._dropped += len(data)
            if self._dropped > _LINGER_BYTES:
                self.transport.abort()
            return
        self._unset_keepalive_if_required()
        if self._awaiting_headers:
            self._bytes_awaiting += len(data)
            if self._timer is None:
                self._arm(self._limits.header_timeout, self._headers_timed_out)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError:
            if self._refusal is not None:
                self._refuse(*self._refusal)
                return
            _LOG.log("invalid", "a request that is not valid HTTP/1.1", self._client_text())
            self._refuse(400, "Bad Request", "BAD_REQUEST", "the request is not valid HTTP/1.1")
            return
        if self._awaiting_headers and self._bytes_awaiting > self._limits.max_header_bytes:
            # A header still unfinished past the limit: refused now, not buffered to its end.
            self._refuse(*self._too_large())

    def _too_large(self) -> tuple[int, str, str, str]:
        _LOG.log(
            "header_bytes",
            f"request headers over MAX_HEADER_BYTES={self._limits.max_header_bytes}",
            self._client_text(),
        )
        return (
            431,
            "Request Header Fields Too Large",
            "REQUEST_HEADER_FIELDS_TOO_LARGE",
            f"the request line and headers are larger than "
            f"MAX_HEADER_BYTES={self._limits.max_header_bytes} bytes",
        )

    def _stop_parsing(self, refusal: tuple[int, str, str, str]) -> None:
        # httptools turns an exception in a callback into HttpParserCallbackError, which ends
        # this feed; data_received then answers `refusal`.
        self._refusal = refusal
        raise _Refused

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_headers = True
        self._header_size = 0
        self._header_count = 0

    def on_url(self, url: bytes) -> None:
        self._header_size += len(url)
        if self._header_size > self._limits.max_header_bytes:
            _LOG.log(
                "url",
                f"request line over MAX_HEADER_BYTES={self._limits.max_header_bytes}",
                self._client_text(),
            )
            self._stop_parsing(
                (
                    414,
                    "URI Too Long",
                    "URI_TOO_LONG",
                    "the request's URL is longer than "
                    f"MAX_HEADER_BYTES={self._limits.max_header_bytes} bytes",
                )
            )
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_size += len(name) + len(value) + 4  # ": " and CRLF
        self._header_count += 1
        if self._header_size > self._limits.max_header_bytes:
            self._stop_parsing(self._too_large())
        if self._header_count > self._limits.max_header_count:
            _LOG.log(
                "header_count",
                f"more than MAX_HEADER_COUNT={self._limits.max_header_count} header fields",
                self._client_text(),
            )
            self._stop_parsing(
                (
                    431,
                    "Request Header Fields Too Large",
                    "REQUEST_HEADER_FIELDS_TOO_LARGE",
                    f"the request has more than MAX_HEADER_COUNT={self._limits.max_header_count} "
                    "header fields",
                )
            )
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._bytes_awaiting = 0
        self._arm(self._limits.body_timeout, self._body_timed_out)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._awaiting_headers = True
        super().on_message_complete()

    # Timeouts

    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _headers_timed_out(self) -> None:
        self._timer = None
        if not self._awaiting_headers or not self._idle() or self.transport.is_closing():
            # A request is running (a pipelined one waits for it): the keep-alive timeout
            # takes over once it is answered.
            return
        _LOG.log(
            "header_timeout",
            f"no complete request headers within HEADER_TIMEOUT_SECONDS="
            f"{self._limits.header_timeout:g}",
            self._client_text(),
        )
        self._refuse(
            408,
            "Request Timeout",
            "REQUEST_TIMEOUT",
            "the request's headers did not arrive within "
            f"HEADER_TIMEOUT_SECONDS={self._limits.header_timeout:g}",
        )

    def _body_timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        _LOG.log(
            "body_timeout",
            f"no complete request body within BODY_TIMEOUT_SECONDS={self._limits.body_timeout:g}",
            self._client_text(),
        )
        if self.cycle is not None and not self.cycle.response_started:
            self.cycle.disconnected = True  # the app, waiting for the body, sees a disconnect
            self.cycle.message_event.set()
            self._refuse(
                408,
                "Request Timeout",
                "REQUEST_TIMEOUT",
                "the request's body did not arrive within "
                f"BODY_TIMEOUT_SECONDS={self._limits.body_timeout:g}",
            )
        else:
            self.transport.abort()

    # Writing

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None:
            self._write_mark = self.transport.get_write_buffer_size()
            self._write_timer = self.loop.call_later(self._limits.write_timeout, self._check_writes)

    def resume_writing(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None
        super().resume_writing()

    def _check_writes(self) -> None:
        self._write_timer = None
        pending = self.transport.get_write_buffer_size()
        if pending == 0:
            return
        if pending < self._write_mark:  # the client took some: it gets another period
            self._write_mark = pending
            self._write_timer = self.loop.call_later(self._limits.write_timeout, self._check_writes)
            return
        _LOG.log(
            "write_timeout",
            f"the client took nothing of {pending} bytes within WRITE_TIMEOUT_SECONDS="
            f"{self._limits.write_timeout:g}",
            self._client_text(),
        )
        # abort, not close: close would wait for the buffer to drain, which it never does.
        self.transport.abort()

    # Refusing

    def _refuse(self, status: int, reason: str, code: str, message: str) -> None:
        self._disarm()
        self._refusal = None
        if self.transport.is_closing():
            return
        self.transport.write(_refusal_bytes(status, reason, code, message))
        # Read and drop what the client is still sending for a moment, so it reads the
        # answer rather than a reset (closing with unread data sends RST).
        self._lingering = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.flow.resume_reading()
        self._timer = self.loop.call_later(_LINGER_SECONDS, self._end_linger)

    def _end_linger(self) -> None:
        self._timer = None
        if self.transport.get_write_buffer_size():
            self.transport.abort()  # the client did not even take the answer
        else:
            self.transport.close()


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a refused request."""
