"""`python server.py` as operators run it, in a subprocess: JSON logs carrying the request id, and
a graceful shutdown on SIGTERM.

The server is pointed at the session's sandboxes (its settings in the environment), logs at
INFO in JSON, and runs with every warning shown (`-W always`), so an unclosed session or
connector at exit would appear on its stderr.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from server import sandbox_settings
from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import ALGOD_ASSETS
from tests.harness import CURSOR_SECRET, JWT_SECRET, Sandboxes

ROOT = Path(__file__).resolve().parents[2]
ALGO = """
query($a: String!) {
  account(source: ALGORAND, address: $a) { holdings { nodes { asset { assetId } } } }
}
"""
ADA = """
query($a: String!) { account(source: CARDANO, address: $a) { holdings(first: 3) { totalCount } } }
"""


@dataclass
class Served:
    """A `python server.py` process: its URL and every stderr line it wrote so far."""

    process: asyncio.subprocess.Process
    url: str = ""
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


@asynccontextmanager
async def server_process(sandboxes: Sandboxes) -> AsyncIterator[Served]:
    environment = {
        **os.environ,
        **sandbox_settings({h.name: h.url for h in sandboxes.all()}),
        "JWT_SECRET": JWT_SECRET,
        "CURSOR_SECRET": CURSOR_SECRET,
        "HOST": "127.0.0.1",
        "PORT": "0",
        "LOG_LEVEL": "info",
        "LOG_FORMAT": "json",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-W",
        "always",
        "server.py",
        cwd=ROOT,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    served = Served(process)
    started = asyncio.Event()

    async def read() -> None:
        assert process.stderr is not None
        async for raw in process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            served.lines.append(line)
            match = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
            if match:
                served.url = match.group(1)
                started.set()

    served.reader = asyncio.create_task(read())
    try:
        await asyncio.wait_for(started.wait(), timeout=30)
        yield served
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
        await served.reader


async def test_logs_are_json_lines_with_the_request_id_of_the_request_they_belong_to(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    await clean.cardanobi.faults(status=503, path="/assets")
    async with server_process(sandboxes) as served:
        headers = {"X-Request-Id": "log-join-7"}
        payload = {"query": ADA, "variables": {"a": cardano_data.SMALL}}
        async with http.post(served.url + "/graphql", json=payload, headers=headers) as response:
            body = await response.json()
        assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        served.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(served.process.wait(), timeout=30)
    records = served.records()  # every line parses as one JSON object
    assert all({"time", "level", "logger", "message", "request_id"} <= set(r) for r in records)
    failures = [r for r in records if r["logger"] == "holdings_graph.errors"]
    assert failures and {r["request_id"] for r in failures} == {"log-join-7"}
    assert "UPSTREAM_UNAVAILABLE" in failures[0]["message"]
    assert any(r["logger"].startswith("uvicorn") for r in records)


async def test_sigterm_lets_the_request_in_flight_finish_then_closes_the_sessions(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    await clean.algod.faults(latency_ms=1500, path="/assets")
    async with server_process(sandboxes) as served:
        payload = {"query": ALGO, "variables": {"a": algod_data.SMALL}}
        request = asyncio.create_task(_post(http, served.url + "/graphql", payload))
        for _ in range(500):  # until the slow upstream call is in flight
            if (await clean.algod.stats())["max_in_flight"] >= 1:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the request never reached algod")
        served.process.send_signal(signal.SIGTERM)
        status, body = await asyncio.wait_for(request, timeout=30)
        code = await asyncio.wait_for(served.process.wait(), timeout=30)
    assert status == 200
    assert "errors" not in body, body
    ids = [node["asset"]["assetId"] for node in body["data"]["account"]["holdings"]["nodes"]]
    # ALGO's balance (no asset id) heads the list, then the ASAs.
    asas = [str(h.asset_id) for h in algod_data.account_holdings(algod_data.SMALL)]
    assert ids == [None, *asas]
    assert await clean.algod.count(ALGOD_ASSETS, "200") >= 1
    # uvicorn shuts down gracefully, then re-raises the signal it caught, so the exit status
    # says "terminated by SIGTERM", as the operator asked.
    assert code in (0, -signal.SIGTERM)
    messages = [r["message"] for r in served.records()]
    assert "upstream sessions closed" in messages
    assert messages.index("upstream sessions closed") > messages.index("Shutting down")
    text = "\n".join(served.lines)
    assert not re.search(r"[Uu]nclosed|ResourceWarning|Traceback", text), text


async def _post(http: aiohttp.ClientSession, url: str, payload: dict[str, Any]) -> tuple[int, Any]:
    async with http.post(url, json=payload) as response:
        return response.status, await response.json()
