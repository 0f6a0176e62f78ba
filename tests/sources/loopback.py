"""A tiny aiohttp.web server on a loopback port, for tests that need an upstream to misbehave in
ways no sandbox does (raw bodies, lying headers, gzip bombs). Real HTTP; nothing is patched."""

from __future__ import annotations

import asyncio
import socket
import zlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web

from sources.http import HttpUpstream, Timeouts
from sources.source import Source
from tests.sources.building import upstream_of

__all__ = ["Loopback", "closing_of", "gzip_of_zeros", "serving", "upstream"]


@dataclass
class Loopback:
    """A running server: its base URL, and an event set when it starts closing, which
    handlers that hold a response open wait on (so closing never waits for them)."""

    url: str
    closing: asyncio.Event = field(default_factory=asyncio.Event)


_CLOSING = web.AppKey("closing", asyncio.Event)


def closing_of(request: web.Request) -> asyncio.Event:
    """The event a handler waits on to hold its response open until the server closes."""
    return request.app[_CLOSING]


@asynccontextmanager
async def serving(routes: Iterable[web.RouteDef]) -> AsyncIterator[Loopback]:
    """Serve `routes` on a free loopback port until the block ends."""
    app = web.Application()
    app.add_routes(list(routes))
    server = Loopback(url="")
    app[_CLOSING] = server.closing
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    # IPPROTO_TCP explicitly, as in `start_sandbox`: small answers must not wait on delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    server.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield server
    finally:
        server.closing.set()
        await runner.cleanup()


@asynccontextmanager
async def upstream(
    source: Source,
    url: str,
    *,
    max_body_bytes: int | None = None,
    timeouts: Timeouts | None = None,
) -> AsyncIterator[HttpUpstream]:
    """A started `HttpUpstream` to `url`, closed when the block ends."""
    http = upstream_of(source, url, timeouts=timeouts, max_body_bytes=max_body_bytes)
    await http.start()
    try:
        yield http
    finally:
        await http.close()


def gzip_of_zeros(size: int, *, prefix: bytes = b"") -> bytes:
    """A gzip member that inflates to `prefix` and then zero bytes up to `size` bytes: about
    1000 times smaller than what it inflates to, built without holding `size` bytes at once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(prefix)]
    chunk = bytes(1024 * 1024)
    left = size - len(prefix)
    while left > 0:
        parts.append(compressor.compress(chunk[: min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(compressor.flush())
    return b"".join(parts)
