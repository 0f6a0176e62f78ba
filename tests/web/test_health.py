"""`/healthz` (alive) and `/readyz` (services up, sessions open, breakers known)."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import uvicorn

from server import create_app
from tests.harness import GraphClient, Sandboxes

SOURCES = {"ALGORAND", "CARDANO", "CALICO", "MESH"}


def base(graph: GraphClient) -> str:
    return graph.url.removesuffix("/graphql")


async def test_healthz_says_ok(graph: GraphClient, http: aiohttp.ClientSession) -> None:
    async with http.get(base(graph) + "/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok"}


async def test_readyz_is_ready_with_every_session_open_and_breakers_closed(
    graph: GraphClient, http: aiohttp.ClientSession
) -> None:
    async with http.get(base(graph) + "/readyz") as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ready"
    assert body["upstreams"] == {
        source: {"session": "open", "breaker": "closed"} for source in SOURCES
    }


async def test_readyz_is_not_ready_without_the_lifespans_services(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    """Served without its lifespan, the app has no sessions: alive, but not ready."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(sandboxes.settings()), lifespan="off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done()
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{port}"
        async with http.get(url + "/healthz") as response:
            assert response.status == 200
        async with http.get(url + "/readyz") as response:
            assert response.status == 503
            body = await response.json()
        assert body["status"] == "not ready"
        assert {u["session"] for u in body["upstreams"].values()} == {"closed"}
    finally:
        server.should_exit = True
        await task
        sock.close()
