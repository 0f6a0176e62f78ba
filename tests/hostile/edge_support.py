"""What the edge tests share: a real `python server.py` process, raw sockets, and what a
concurrent normal request saw.

The server runs as a newcomer runs it (uvicorn with httptools and the edge protocol, JSON logs
captured), on the session's sandboxes; hostile clients speak bytes to it over asyncio streams.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from tests.harness import Sandboxes
from tests.replicas.processes import ROOT, SERVER, START_SECONDS, ServerProcess, server_env

__all__ = [
    "NORMAL_QUERY",
    "EdgeServer",
    "Exchange",
    "exchange",
    "normal_request",
    "open_fds",
    "post_bytes",
    "rss_mib",
    "start_edge_server",
    "upstream_total",
]

NORMAL_QUERY = b'{"query":"{ __typename }"}'
"""What the concurrent normal request asks: answered by the server alone (no upstream call)."""


@dataclass
class EdgeServer(ServerProcess):
    """A running server process: its port and pid beside its URL and logs."""

    port: int = 0

    @property
    def pid(self) -> int:
        return int(self.process.pid)

    def error_lines(self) -> list[dict[str, Any]]:
        return [entry for entry in self.logs if entry.get("level") in ("ERROR", "CRITICAL")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _collect(stream: asyncio.StreamReader, server: EdgeServer) -> None:
    while line := await stream.readline():
        text = line.decode("utf-8", "replace").rstrip("\n")
        server.output.append(text)
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if isinstance(entry, dict):
            server.logs.append(entry)


def _descriptor_limit(limit: int | None) -> Callable[[], None] | None:
    if limit is None:
        return None

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

    return apply


@asynccontextmanager
async def start_edge_server(
    http: aiohttp.ClientSession,
    sandboxes: Sandboxes | None,
    *,
    descriptors: int | None = None,
    **settings: str,
) -> AsyncIterator[EdgeServer]:
    """`python server.py` on a free port with `settings` (and at most `descriptors` open files),
    until the block ends; then SIGTERM."""
    port = _free_port()
    env = server_env(sandboxes, **settings)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        SERVER,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        cwd=ROOT / "tests",
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        preexec_fn=_descriptor_limit(descriptors),
    )
    server = EdgeServer(process, f"http://127.0.0.1:{port}", port=port)
    assert process.stdout is not None and process.stderr is not None
    readers = [
        asyncio.create_task(_collect(process.stdout, server)),
        asyncio.create_task(_collect(process.stderr, server)),
    ]
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_SECONDS
        while True:
            assert process.returncode is None, f"the server exited: {server.output[-20:]}"
            assert loop.time() < deadline, f"the server did not start: {server.output[-20:]}"
            try:
                async with http.get(f"{server.url}/readyz") as response:
                    if response.status == 200:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
        yield server
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()
        await asyncio.gather(*readers)


@dataclass(frozen=True)
class Exchange:
    """What a raw client got: the bytes until the server closed, and how long it took."""

    data: bytes
    seconds: float
    reset: bool = False
    timed_out: bool = False

    @property
    def status(self) -> int | None:
        line = self.data.split(b"\r\n", 1)[0]
        parts = line.split(b" ")
        return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") else None

    @property
    def headers(self) -> dict[str, str]:
        head = self.data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")[1:]
        return {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head)}

    def json(self) -> Any:
        return json.loads(self.data.split(b"\r\n\r\n", 1)[1])


async def exchange(
    port: int,
    request: bytes,
    *,
    within: float = 30.0,
    chunk: int | None = None,
    pause: float = 0.0,
    whole: int = 0,
) -> Exchange:
    """Sends `request` (its first `whole` bytes at once, the rest in pieces of `chunk` bytes
    `pause` seconds apart) and reads until the server closes, for at most `within` seconds."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = b""
    reset = timed_out = False

    async def send() -> None:
        writer.write(request[:whole])
        step = chunk or len(request) or 1
        for start in range(whole, len(request), step):
            if pause:
                await asyncio.sleep(pause)
            writer.write(request[start : start + step])
            await writer.drain()

    async def receive() -> None:
        nonlocal received
        while data := await reader.read(65536):
            received += data

    sending = asyncio.create_task(send())
    try:
        await asyncio.wait_for(receive(), within)
    except (ConnectionError, OSError):
        reset = True
    except TimeoutError:
        timed_out = True
    finally:
        if not sending.done():
            sending.cancel()
        (outcome,) = await asyncio.gather(sending, return_exceptions=True)
        reset = reset or isinstance(outcome, ConnectionError | OSError)
        writer.close()
    return Exchange(received, time.perf_counter() - started, reset, timed_out)


def post_bytes(
    body: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/json",
    path: str = "/graphql",
) -> bytes:
    """A whole `POST` request, with `Connection: close`."""
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def normal_request(port: int) -> Exchange:
    """The concurrent normal request: `{ __typename }`, answered without upstream calls."""
    return await exchange(port, post_bytes(NORMAL_QUERY), within=30)


async def upstream_total(sandboxes: Sandboxes) -> int:
    """Requests the four sandboxes served so far."""
    return sum(await asyncio.gather(*(handle.total() for handle in sandboxes.all())))


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))
