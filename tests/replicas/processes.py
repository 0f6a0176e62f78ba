"""Server processes for the replica tests: `python server.py ...` started as a newcomer would,
pointed at the test's sandboxes (and Redis), read through their logs and metrics, and stopped
with SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from server import sandbox_settings
from settings import Settings
from tests.harness import CURSOR_SECRET, JWT_SECRET, Sandboxes

__all__ = ["ServerProcess", "run_server", "server_env"]

ROOT = Path(__file__).resolve().parents[2]
SERVER = str(ROOT / "server.py")
START_SECONDS = 60.0
"""How long a server process may take to answer `/readyz` (generous: the machine is shared)."""


def server_env(sandboxes: Sandboxes | None, **settings: str) -> dict[str, str]:
    """The environment of a server process: none of the server's settings inherited from the
    test process, the sandboxes' URLs and credentials, the test secrets, then `settings`."""
    names = Settings.variable_names()
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    if sandboxes is not None:
        env.update(sandbox_settings({handle.name: handle.url for handle in sandboxes.all()}))
        env.update(JWT_SECRET=JWT_SECRET, CURSOR_SECRET=CURSOR_SECRET)
        # A development server, as `Sandboxes.settings()` makes one (configured URLs alone would
        # turn GraphiQL and introspection off).
        env.update(GRAPHIQL="true", GRAPHQL_INTROSPECTION="true")
    env.update(BREAKER_FAILURE_THRESHOLD="1000", LOG_LEVEL="info", LOG_FORMAT="json")
    env.update(settings)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    """One running `python server.py`: its URL and every JSON log line it wrote so far."""

    process: asyncio.subprocess.Process
    url: str
    logs: list[dict[str, Any]] = field(default_factory=list)
    output: list[str] = field(default_factory=list)

    @property
    def graphql(self) -> str:
        return f"{self.url}/graphql"

    async def metric(self, http: aiohttp.ClientSession, name: str, **labels: str) -> float:
        """The sum of a metric's samples whose labels include `labels`."""
        async with http.get(f"{self.url}/metrics") as response:
            text = await response.text()
        total = 0.0
        for line in text.splitlines():
            if not line.startswith(name + "{"):
                continue
            sample, value = line.rsplit(" ", 1)
            if all(f'{key}="{val}"' in sample for key, val in labels.items()):
                total += float(value)
        return total


async def _collect(stream: asyncio.StreamReader, server: ServerProcess) -> None:
    while line := await stream.readline():
        text = line.decode("utf-8", "replace").rstrip("\n")
        server.output.append(text)
        try:
            entry = json.loads(text)
        except ValueError:
            continue
        if isinstance(entry, dict):
            server.logs.append(entry)


async def _ready(http: aiohttp.ClientSession, server: ServerProcess) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_SECONDS
    while loop.time() < deadline:
        if server.process.returncode is not None:
            break
        try:
            async with http.get(f"{server.url}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"the server did not become ready: {server.output[-20:]}")


@asynccontextmanager
async def run_server(
    http: aiohttp.ClientSession, env: Mapping[str, str], *args: str
) -> AsyncIterator[ServerProcess]:
    """`python server.py --port P *args` until the block ends, then SIGTERM and wait."""
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        SERVER,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *args,
        cwd=ROOT / "tests",
        env=dict(env),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    server = ServerProcess(process, f"http://127.0.0.1:{port}")
    assert process.stdout is not None and process.stderr is not None
    readers = [
        asyncio.create_task(_collect(process.stdout, server)),
        asyncio.create_task(_collect(process.stderr, server)),
    ]
    try:
        await _ready(http, server)
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
