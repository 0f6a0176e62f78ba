"""`python server.py --workers 2`: two processes serve one port (their log lines show two pids),
and SIGTERM stops them all; refused while upstreams run on embedded sandboxes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from tests.harness import Sandboxes

from .processes import ROOT, SERVER, run_server, server_env

QUERY = {"query": "{ __typename }"}
MOST_REQUESTS = 400
"""A bound on the requests sent while waiting to see both workers answer."""
STARTUP_SECONDS = 120.0
"""A bound on the wait for both workers to finish starting (a loaded machine imports slowly)."""


@pytest_asyncio.fixture
async def fresh_connections() -> AsyncIterator[aiohttp.ClientSession]:
    """A client opening a new connection per request, so the kernel picks a worker each time."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        yield http


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "\nState:\tZ" not in status.read()
    except FileNotFoundError:
        return False


async def test_two_workers_answer_on_one_port_and_stop_on_sigterm(
    sandboxes: Sandboxes, fresh_connections: aiohttp.ClientSession
) -> None:
    http = fresh_connections
    async with run_server(http, server_env(sandboxes), "--workers", "2") as server:

        async def ask() -> int:
            async with http.post(server.graphql, json=QUERY) as response:
                assert (await response.json()) == {"data": {"__typename": "Query"}}
                return response.status

        def serving_pids() -> set[int]:
            return {
                entry["pid"]
                for entry in server.logs
                if entry.get("logger") == "uvicorn.access" and "/graphql" in entry["message"]
            }

        def started_pids() -> set[int]:
            return {
                entry["pid"]
                for entry in server.logs
                if "Application startup complete" in str(entry.get("message"))
            }

        # The port answers as soon as one worker is up: wait for the second one too, or the
        # kernel can only ever pick the first.
        for _ in range(int(STARTUP_SECONDS * 10)):
            if len(started_pids()) >= 2:
                break
            await asyncio.sleep(0.1)
        sent = 0
        while len(serving_pids()) < 2 and sent < MOST_REQUESTS:
            statuses = await asyncio.gather(*(ask() for _ in range(20)))
            assert set(statuses) == {200}
            sent += 20
            await asyncio.sleep(0.05)  # the access log lines come through a pipe
        pids = serving_pids()
        assert len(pids) == 2, (sent, pids)
        assert server.process.pid not in pids  # the parent supervises, the workers serve
    assert server.process.returncode == 0
    assert not [pid for pid in pids if _alive(pid)]


def test_several_workers_are_refused_on_embedded_sandboxes() -> None:
    env = server_env(None)
    result = subprocess.run(
        [sys.executable, SERVER, "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT / "tests",
        env={**env, "WORKERS": "1"},
    )
    assert result.returncode != 0
    assert "--workers 2" in result.stderr and "python server.py sandbox" in result.stderr
    assert "algod, calico, cardanobi, mesh" in result.stderr


def test_the_workers_setting_is_read_from_the_environment() -> None:
    result = subprocess.run(
        [sys.executable, SERVER],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT / "tests",
        env={**server_env(None), "WORKERS": "3"},
    )
    assert result.returncode != 0
    assert "--workers 3" in result.stderr
