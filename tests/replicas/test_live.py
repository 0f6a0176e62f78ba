"""Live subscriptions on two server processes sharing one real Redis: the replicas elect one
poller per account (a lease), so fifty subscribers of the whale spread over both make one
algod reading per interval between them; and when the process holding the lease is killed,
the other takes over within a lease period and its subscribers miss no change."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator

import aiohttp
import redis.asyncio as aioredis

from resolvers.ids import encode_id
from sources.algod.sandbox_data import WHALE
from tests.harness import Sandboxes
from tests.live.clients import TransportWS
from tests.live.support import SMALL, holdings_of
from tests.redis_server import RedisServer

from .processes import ServerProcess, run_server, server_env

INTERVAL = 0.3
LEASE = 2.0
ACCOUNT_ROUTE = "GET /v2/accounts/{address}"

COUNT_ONLY = """subscription($account: AccountRef!) {
  holdingsChanged(account: $account) { initial round holdingsCount } }"""

CHANGES = """subscription($account: AccountRef!) {
  holdingsChanged(account: $account) { initial round changed { rawAmount } } }"""


def _env(sandboxes: Sandboxes, redis: RedisServer | None) -> dict[str, str]:
    settings = {
        "LIVE_ALGOD_POLL_SECONDS": str(INTERVAL),
        "LIVE_LEASE_SECONDS": str(LEASE),
        "LIVE_HEARTBEAT_SECONDS": "5",
        "PUBLIC_CACHE_TTL_SECONDS": "0",
    }
    if redis is not None:
        settings["REDIS_URL"] = redis.url
    return server_env(sandboxes, **settings)


async def _readings(http: aiohttp.ClientSession, server: ServerProcess) -> float:
    return await server.metric(http, "holdings_live_readings_total", source="ALGORAND", role="poll")


@contextlib.asynccontextmanager
async def _subscribed(
    http: aiohttp.ClientSession, servers: list[ServerProcess], total: int, query: str, address: str
) -> AsyncIterator[list[tuple[ServerProcess, TransportWS, str]]]:
    """`total` subscriptions spread over the servers (two connections each), past their first
    event."""
    async with contextlib.AsyncExitStack() as stack:
        connections = [
            (server, await stack.enter_async_context(TransportWS.open(http, server.graphql)))
            for server in servers
            for _ in range(2)
        ]
        subscriptions = []
        for n in range(total):
            server, client = connections[n % len(connections)]
            await client.subscribe(str(n), query, holdings_of("ALGORAND", address))
            subscriptions.append((server, client, str(n)))
        for _, client, id in subscriptions:
            assert (await client.next(id))["data"]["holdingsChanged"]["initial"] is True
        yield subscriptions


async def test_fifty_subscribers_over_two_replicas_make_one_algod_reading_per_interval(
    clean: Sandboxes, http: aiohttp.ClientSession, redis_server: RedisServer
) -> None:
    env = _env(clean, redis_server)
    async with run_server(http, env) as first, run_server(http, env) as second:
        servers = [first, second]
        async with _subscribed(http, servers, 50, COUNT_ONLY, WHALE):
            before = [await _readings(http, server) for server in servers]
            served_before = await clean.algod.count(ACCOUNT_ROUTE)
            await asyncio.sleep(15 * INTERVAL)
            served = await clean.algod.count(ACCOUNT_ROUTE) - served_before
            made = [
                await _readings(http, server) - b for server, b in zip(servers, before, strict=True)
            ]
    # One of them polled, the other only relayed; the sandbox saw one reading per poll.
    assert sorted(made)[0] == 0, made
    assert sorted(made)[1] >= 2, made
    assert abs(served - sum(made)) <= 1, (served, made)


async def test_without_redis_each_replica_polls_for_itself(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    env = _env(clean, None)
    async with run_server(http, env) as first, run_server(http, env) as second:
        servers = [first, second]
        async with _subscribed(http, servers, 4, COUNT_ONLY, SMALL):
            before = [await _readings(http, server) for server in servers]
            await asyncio.sleep(10 * INTERVAL)
            made = [
                await _readings(http, server) - b for server, b in zip(servers, before, strict=True)
            ]
    assert min(made) >= 3, made


async def test_a_reading_longer_than_the_lease_keeps_one_poller(
    clean: Sandboxes, http: aiohttp.ClientSession, redis_server: RedisServer
) -> None:
    # Each reading takes longer than a lease: only renewing during the reading keeps the
    # account with its poller (else the lease expires mid-reading and the other replica polls
    # too, every reading).
    await clean.algod.faults(latency_ms=int(LEASE * 1000 * 1.5), route=ACCOUNT_ROUTE)
    env = _env(clean, redis_server)
    async with run_server(http, env) as first, run_server(http, env) as second:
        servers = [first, second]
        async with _subscribed(http, servers, 4, COUNT_ONLY, SMALL):
            holder = await _holder(redis_server, SMALL)
            before = [await _readings(http, server) for server in servers]
            for _ in range(3):
                await asyncio.sleep(LEASE * 1.5)
                assert await _holder(redis_server, SMALL) == holder
            made = [
                await _readings(http, server) - b for server, b in zip(servers, before, strict=True)
            ]
    assert sorted(made)[0] == 0, made
    assert sorted(made)[1] >= 2, made
    assert made[[s.process.pid for s in servers].index(holder)] == sorted(made)[1]


async def _holder(redis_server: RedisServer, address: str) -> int:
    """The pid of the process holding the account's lease."""
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        key = f"live:v1:lease:{encode_id('Account', 'ALGORAND', address)}"
        owner = await client.get(key)
    finally:
        await client.aclose()
    assert owner is not None, "nobody holds the lease"
    return int(owner.decode().split(":")[1])


async def _set_usdc(clean: Sandboxes, amount: int) -> int:
    answer = await clean.algod.change_holdings(address=SMALL, set={"31566704": amount})
    return int(answer["round"])


async def test_killing_the_poller_hands_over_without_losing_a_change(
    clean: Sandboxes, http: aiohttp.ClientSession, redis_server: RedisServer
) -> None:
    env = _env(clean, redis_server)
    async with run_server(http, env) as first, run_server(http, env) as second:
        servers = [first, second]
        async with _subscribed(http, servers, 6, CHANGES, SMALL) as subscriptions:
            holder = await _holder(redis_server, SMALL)
            leader = next(s for s in servers if s.process.pid == holder)
            survivor = next(s for s in servers if s is not leader)
            kept = sum(1 for server, _, _ in subscriptions if server is survivor)
            before = await _set_usdc(clean, 1_000_001)
            for _, client, id in subscriptions:
                event = (await client.next(id))["data"]["holdingsChanged"]
                assert event["round"] == str(before)
                assert event["changed"] == [{"rawAmount": "1000001"}]
            os.kill(holder, signal.SIGKILL)
            await leader.process.wait()
            # Changed while nobody polls: the survivor must still tell its subscribers.
            during = await _set_usdc(clean, 2_000_002)
            after_events = []
            for server, client, id in subscriptions:
                if server is survivor:
                    after_events.append((await client.next(id))["data"]["holdingsChanged"])
            assert await _holder(redis_server, SMALL) == survivor.process.pid
            after = await _set_usdc(clean, 3_000_003)
            last_events = []
            for server, client, id in subscriptions:
                if server is survivor:
                    last_events.append((await client.next(id))["data"]["holdingsChanged"])
    assert len(after_events) == len(last_events) == kept and kept >= 2
    assert all(e["changed"] == [{"rawAmount": "2000002"}] for e in after_events)
    assert all(e["round"] == str(during) for e in after_events)
    assert all(e["changed"] == [{"rawAmount": "3000003"}] for e in last_events)
    assert all(e["round"] == str(after) for e in last_events)
