"""Per-caller rate limits: by the bearer token's user, or by address when
anonymous; 429 with `Retry-After` and a coded GraphQL error; shared through a real redis-server
by several server processes; nothing sent upstream for a refused request; another caller is
answered meanwhile."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from resolvers.identity import issue_token
from tests.harness import JWT_SECRET, Sandboxes
from tests.hostile.edge_support import EdgeServer, start_edge_server
from tests.redis_server import RedisServer, start_redis
from web.caller_rate import CallerRate, RedisCallerRates, address_caller

RATE = 0.1
BURST = 3
WHALE = "4BKTTRHZ2MXLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM"
HOLDINGS = (
    f'{{ account(source: ALGORAND, address: "{WHALE}") {{ holdings(first: 1) {{ totalCount }} }} }}'
)


@pytest_asyncio.fixture(scope="module")
async def rated(http: aiohttp.ClientSession, sandboxes: Sandboxes) -> AsyncIterator[EdgeServer]:
    async with start_edge_server(
        http,
        sandboxes,
        CALLER_RATE_PER_SECOND=str(RATE),
        CALLER_RATE_BURST=str(BURST),
        PUBLIC_CACHE_TTL_SECONDS="0",
    ) as server:
        yield server


@pytest_asyncio.fixture(scope="module")
async def caller_redis(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RedisServer]:
    async with start_redis(tmp_path_factory.mktemp("caller-redis")) as server:
        yield server


def bearer(user: str, hours: int = 12) -> dict[str, str]:
    token = issue_token(JWT_SECRET, user, lifetime=timedelta(hours=hours))
    return {"Authorization": f"Bearer {token}"}


async def ask(
    http: aiohttp.ClientSession,
    server: EdgeServer,
    headers: dict[str, str] | None = None,
    query: str = HOLDINGS,
) -> tuple[int, dict[str, str], dict[str, Any]]:
    async with http.post(server.graphql, json={"query": query}, headers=headers) as response:
        return response.status, dict(response.headers), await response.json()


async def spend_burst(
    http: aiohttp.ClientSession, server: EdgeServer, headers: dict[str, str] | None = None
) -> list[tuple[int, dict[str, str], dict[str, Any]]]:
    """BURST + 2 requests at once: the burst is admitted, the rest refused."""
    return await asyncio.gather(*(ask(http, server, headers) for _ in range(BURST + 2)))


def statuses(answers: list[tuple[int, dict[str, str], dict[str, Any]]]) -> list[int]:
    return sorted(status for status, _, _ in answers)


async def test_a_caller_over_its_rate_gets_429_with_retry_after_and_no_upstream_call(
    http: aiohttp.ClientSession, rated: EdgeServer, clean: Sandboxes
) -> None:
    user = bearer("rate-erin")
    admitted = [(await ask(http, rated, user))[0] for _ in range(BURST)]
    assert admitted == [200] * BURST
    spent = await clean.algod.total()
    assert spent > 0
    refused, other = await asyncio.gather(
        asyncio.gather(*(ask(http, rated, user) for _ in range(2))),
        ask(http, rated, bearer("rate-frank"), query="{ __typename }"),
    )
    assert [status for status, _, _ in refused] == [429, 429]
    assert other[0] == 200  # another caller is answered meanwhile
    _, headers, body = refused[0]
    assert int(headers["Retry-After"]) >= 1
    error = body["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfterSeconds"] == int(headers["Retry-After"])
    assert "CALLER_RATE_PER_SECOND" in error["message"]
    assert "data" not in body
    assert await clean.algod.total() == spent  # the refused requests sent nothing upstream


async def test_the_budget_comes_back_after_retry_after(
    http: aiohttp.ClientSession, rated: EdgeServer
) -> None:
    answers = await spend_burst(http, rated, bearer("rate-gina"))
    wait = max(int(headers["Retry-After"]) for status, headers, _ in answers if status == 429)
    await asyncio.sleep(wait)
    assert (await ask(http, rated, bearer("rate-gina")))[0] == 200


async def test_a_user_is_one_caller_whatever_token_and_address(
    http: aiohttp.ClientSession, rated: EdgeServer
) -> None:
    """Two tokens of one user share a budget; another user on the same address has their own."""
    await asyncio.gather(*(ask(http, rated, bearer("rate-hugo", 12)) for _ in range(BURST)))
    assert (await ask(http, rated, bearer("rate-hugo", 6)))[0] == 429
    assert (await ask(http, rated, bearer("rate-iris")))[0] == 200


async def test_anonymous_callers_and_refused_tokens_share_their_address(
    http: aiohttp.ClientSession, rated: EdgeServer
) -> None:
    """Rotating made-up tokens does not buy a fresh budget: a refused token is anonymous."""
    garbage = [{"Authorization": f"Bearer not-a-jwt-{i}"} for i in range(BURST + 2)]
    answers = await asyncio.gather(*(ask(http, rated, headers) for headers in garbage))
    assert 429 in statuses(answers)
    assert (await ask(http, rated))[0] == 429
    assert (await ask(http, rated, bearer("rate-jack")))[0] == 200


async def test_replicas_share_a_callers_budget_through_redis(
    http: aiohttp.ClientSession, sandboxes: Sandboxes, caller_redis: RedisServer
) -> None:
    settings = {
        "REDIS_URL": caller_redis.url,
        "CALLER_RATE_PER_SECOND": "0.2",
        "CALLER_RATE_BURST": "2",
        "PUBLIC_CACHE_TTL_SECONDS": "0",
    }
    async with (
        start_edge_server(http, sandboxes, **settings) as first,
        start_edge_server(http, sandboxes, **settings) as second,
    ):
        user = bearer("rate-kate")
        assert [(await ask(http, first, user))[0] for _ in range(2)] == [200, 200]
        status, headers, body = await ask(http, second, user)
        assert status == 429, body
        assert int(headers["Retry-After"]) >= 1
        assert (await ask(http, second, bearer("rate-liam")))[0] == 200


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_dead_redis_falls_back_to_this_process_budget() -> None:
    from sources.resilience.shared_rate import connect_redis

    rates = RedisCallerRates(
        connect_redis(f"redis://127.0.0.1:{_dead_port()}/0"), CallerRate(1.0, 2)
    )
    try:
        caller = address_caller("203.0.113.7")
        results = [await rates.admit(caller) for _ in range(3)]
        assert results[:2] == [None, None]
        assert results[2] is not None and 0 < results[2] <= 1.0
    finally:
        await rates.close()


def test_ipv6_callers_are_counted_by_their_64() -> None:
    assert address_caller("2001:db8:1:2:aaaa::1") == address_caller("2001:db8:1:2:bbbb::2")
    assert address_caller("2001:db8:1:3::1") != address_caller("2001:db8:1:2::1")
    assert address_caller("::ffff:192.0.2.1") == address_caller("192.0.2.1")
