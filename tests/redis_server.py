"""A real `redis-server` for the tests: started on a free loopback port, without persistence.

`scripts/install-services` installs Debian's redis-server (CI runs it through `scripts/test`).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RedisServer", "start_redis"]

REDIS_SERVER = "/usr/bin/redis-server"


@dataclass(frozen=True)
class RedisServer:
    """A running redis-server: its URL (`redis://127.0.0.1:<port>/0`) and port."""

    url: str
    port: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _answers(port: int) -> bool:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    try:
        writer.write(b"PING\r\n")
        await writer.drain()
        return (await asyncio.wait_for(reader.readline(), timeout=2)) == b"+PONG\r\n"
    finally:
        writer.close()
        await writer.wait_closed()


@asynccontextmanager
async def start_redis(directory: Path) -> AsyncIterator[RedisServer]:
    """A redis-server on 127.0.0.1 until the block ends (its files under `directory`)."""
    executable = shutil.which("redis-server") or REDIS_SERVER
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        executable,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(directory),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(500):
            if await _answers(port):
                break
            if process.returncode is not None:
                raise RuntimeError(f"redis-server exited with {process.returncode}")
            await asyncio.sleep(0.01)
        else:
            raise RuntimeError("redis-server did not answer PING within 5 s")
        yield RedisServer(f"redis://127.0.0.1:{port}/0", port)
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
