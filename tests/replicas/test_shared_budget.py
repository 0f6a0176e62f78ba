"""Two server processes on the same sandboxes and the same Redis, CardanoBI at 5/s with a burst
of 1: Cardano reads spread over both are all served, and the arrival times at the sandbox show
the two together never exceeded the rate; without Redis, the same load exceeds it (so the check
can fail)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import pytest_asyncio

from sources.cardanobi.sandbox_data import BENCH_STAKE_ADDRESSES
from tests.harness import Sandboxes
from tests.redis_server import RedisServer

from .processes import ServerProcess, run_server, server_env

RATE, BURST = 5, 1
READS = 8
"""Cardano reads, each of its own stake address (a shared cache could not merge them)."""
ASSETS = "GET /api/core/accounts/{stake_address}/assets"
ACCOUNT = "GET /api/core/accounts/{stake_address}"
QUERY = """query ($address: String!) {
  account(source: CARDANO, address: $address) { holdings(first: 2) { nodes { amount } } }
}"""


def most_in_one_second(arrivals: list[float]) -> int:
    """The most arrivals any one-second window holds."""
    times = sorted(arrivals)
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


@pytest_asyncio.fixture
async def recorded(clean: Sandboxes) -> AsyncIterator[Sandboxes]:
    await clean.cardanobi.record_arrivals()
    yield clean
    await clean.cardanobi.record_arrivals(False)


async def two_servers_read(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, **settings: str
) -> list[ServerProcess]:
    """Start two server processes with `settings`, spread the reads over both at once."""
    env = server_env(
        sandboxes, CARDANOBI_RATE_PER_SECOND=str(RATE), CARDANOBI_RATE_BURST=str(BURST), **settings
    )
    async with AsyncExitStack() as stack:
        servers = [await stack.enter_async_context(run_server(http, env)) for _ in range(2)]

        async def read(server: ServerProcess, address: str) -> None:
            body = {"query": QUERY, "variables": {"address": address}}
            async with http.post(server.graphql, json=body) as response:
                answer = await response.json()
            assert response.status == 200 and "errors" not in answer, answer

        addresses = BENCH_STAKE_ADDRESSES[:READS]
        await asyncio.gather(
            *(read(servers[i % 2], address) for i, address in enumerate(addresses))
        )
        for server in servers:  # both took part
            assert await server.metric(http, "holdings_upstream_requests_total", source="CARDANO")
        return servers


async def test_two_servers_sharing_redis_stay_within_the_cardanobi_rate_together(
    recorded: Sandboxes, http: aiohttp.ClientSession, redis_server: RedisServer
) -> None:
    await two_servers_read(recorded, http, REDIS_URL=redis_server.url)
    assert await recorded.cardanobi.count(ASSETS) == READS
    # The API's requests: the identity server's token requests draw on a budget of their own.
    arrivals = [
        *await recorded.cardanobi.arrivals(ASSETS),
        *await recorded.cardanobi.arrivals(ACCOUNT),
    ]
    assert most_in_one_second(arrivals) <= BURST + RATE
    # Every CardanoBI API request drew on one budget: after the burst, 1/RATE each.
    assert max(arrivals) - min(arrivals) >= (len(arrivals) - BURST) / RATE - 0.05


async def test_two_servers_without_redis_exceed_the_rate_together(
    recorded: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await two_servers_read(recorded, http)
    assert await recorded.cardanobi.count(ASSETS) == READS
    arrivals = [
        *await recorded.cardanobi.arrivals(ASSETS),
        *await recorded.cardanobi.arrivals(ACCOUNT),
    ]
    assert most_in_one_second(arrivals) > BURST + RATE
