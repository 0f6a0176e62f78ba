"""The shared cache in Redis: two servers, one cache; Redis down.

A real `redis-server` on loopback (`tests/redis_server.py`); proofs are the sandboxes' counts.
"""

from __future__ import annotations

import socket
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis

from server import sandbox_settings
from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CARDANOBI_ACCOUNT,
    CARDANOBI_ASSETS,
)
from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes, serve_graph
from tests.redis_server import start_redis

HOLDINGS = """
query Holdings($source: Source!, $address: String!) {
  account(source: $source, address: $address) {
    holdings(first: 5) { nodes { id amount fetchedAt asset { assetId fingerprint } } }
  }
}
"""
ALGORAND = {"source": "ALGORAND", "address": algod_data.SMALL}
CARDANO = {"source": "CARDANO", "address": cardano_data.SMALL}
TTL = 60.0


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_second_server_is_served_from_the_shared_cache(
    clean: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with start_redis(tmp_path) as redis_server:
        settings = clean.settings(public_cache_ttl_seconds=TTL, redis_url=redis_server.url)
        async with serve_graph(settings, http) as first, serve_graph(settings, http) as second:
            first_answer = await first.data(HOLDINGS, ALGORAND)
            cardano_first = await first.data(HOLDINGS, CARDANO)
            read_once = [
                await clean.algod.count(ALGOD_ASSETS),
                await clean.algod.count(ALGOD_ACCOUNT),
                await clean.cardanobi.count(CARDANOBI_ASSETS),
                await clean.cardanobi.count(CARDANOBI_ACCOUNT),
            ]
            second_answer = await second.data(HOLDINGS, ALGORAND)
            cardano_second = await second.data(HOLDINGS, CARDANO)
    assert read_once == [1, 1, 1, 1]
    # Unchanged: the second server read all four answers from Redis, fetchedAt included.
    assert await clean.algod.count(ALGOD_ASSETS) == 1
    assert await clean.algod.count(ALGOD_ACCOUNT) == 1
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 1
    assert await clean.cardanobi.count(CARDANOBI_ACCOUNT) == 1
    assert second_answer == first_answer
    assert cardano_second == cardano_first


async def test_with_redis_down_answers_still_come_from_the_upstream(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = clean.settings(
        public_cache_ttl_seconds=TTL, redis_url=f"redis://127.0.0.1:{closed_port()}/0"
    )
    expected = [None, *(str(h.asset_id) for h in algod_data.account_holdings(algod_data.SMALL))]
    # Two servers stand for two processes: without Redis they share nothing.
    for _ in range(2):
        async with serve_graph(settings, http) as graph:
            for _ in range(2):
                data = await graph.data(HOLDINGS, ALGORAND)
                ids = [node["asset"]["assetId"] for node in data["account"]["holdings"]["nodes"]]
                assert ids == expected[:5]
    # Each process read the upstream once, and served its second request from what it parsed.
    assert await clean.algod.count(ALGOD_ASSETS) == 2


async def test_redis_going_down_under_a_running_server_is_only_a_miss(
    clean: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with AsyncExitStack() as stack:
        redis_server = await stack.enter_async_context(start_redis(tmp_path))
        settings = clean.settings(public_cache_ttl_seconds=TTL, redis_url=redis_server.url)
        # Entered after Redis, so left before it: the server outlives its Redis below.
        async with serve_graph(settings, http) as graph:
            await graph.data(HOLDINGS, ALGORAND)
            await graph.data(HOLDINGS, ALGORAND)
            assert await clean.algod.count(ALGOD_ASSETS) == 1
            await stack.aclose()  # redis-server stops
            # What this process parsed stays served for the entry's time; a read it has not
            # made goes to the upstream (Redis unreachable is a miss, not an error), once, and
            # is then served from what this process parsed.
            for _ in range(2):
                data = await graph.data(HOLDINGS, ALGORAND)
                assert data["account"]["holdings"]["nodes"]
                data = await graph.data(HOLDINGS, CARDANO)
                assert data["account"]["holdings"]["nodes"]
    assert await clean.algod.count(ALGOD_ASSETS) == 1
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 1


async def test_keys_and_values_in_redis_hold_no_credential(
    clean: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    upstream = sandbox_settings({h.name: h.url for h in clean.all()})
    secrets = {
        upstream["ALGOD_TOKEN"],
        upstream["CARDANOBI_API_KEY"],
        upstream["CARDANOBI_API_SECRET"],
        upstream["MESH_CLIENT_ID"],
        upstream["MESH_CLIENT_SECRET"],
        *CALICO_TOKENS.values(),
        GraphClient.token("alice"),
    }
    assert all(secrets)
    async with start_redis(tmp_path) as redis_server:
        settings = clean.settings(public_cache_ttl_seconds=TTL, redis_url=redis_server.url)
        async with serve_graph(settings, http) as graph:
            await graph.data(HOLDINGS, ALGORAND, user="alice", calico=True)
            await graph.data(HOLDINGS, CARDANO, user="alice", calico=True)
            # A provider error (PROVIDER_ERROR) is part of alice's sandbox data: not checked.
            await graph.query(
                HOLDINGS, {"source": "CALICO", "address": "alice"}, user="alice", calico=True
            )
        client = aioredis.from_url(redis_server.url)
        try:
            keys = [key async for key in client.scan_iter("*")]
            values = [await client.get(key) for key in keys]
        finally:
            await client.aclose()
    # Besides CardanoBI's shared rate budget (keyed by a hash of its API key) and the caller's
    # request budget (a hash of the user), the cache holds two reads per chain and nothing of
    # Calico's.
    cached = [key for key in keys if key.startswith(b"holdings:v1:")]
    assert len(cached) == 4, keys
    assert all(
        key.startswith((b"holdings:v1:ALGORAND:GET:", b"holdings:v1:CARDANO:GET:"))
        for key in cached
    ), keys
    assert set(keys) - set(cached) == {
        key for key in keys if key.startswith((b"holdings:rate:cardano:", b"holdings:caller:"))
    }, keys
    stored = b"\n".join([*keys, *(value or b"" for value in values)])
    for secret in secrets:
        assert secret.encode() not in stored
    assert b"Bearer" not in stored and b"Authorization" not in stored
