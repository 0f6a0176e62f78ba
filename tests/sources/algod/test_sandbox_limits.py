"""What a public algod provider adds in front of the node, as the sandbox plays it by default
(Nodely's free tier, `upstream-samples`): at most 10 requests in flight per client, 429 at once
for one more; and, when its daily quota is set and spent, 403 for every later request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest_asyncio

from sources.algod import sandbox_data as data
from sources.algod.sandbox import NODELY_FREE_CONCURRENCY, AlgodSandbox, AlgodSettings
from sources.sandboxing import RunningSandbox, start_sandbox
from tests.sources.algod.raw import RawNode

ACCOUNT = f"/v2/accounts/{data.WHALE}"
ROUTE = "GET /v2/accounts/{address}"


@pytest_asyncio.fixture
async def nodely(node: RawNode) -> AsyncIterator[RawNode]:
    """A node with the sandbox's defaults (the shared one is the same; reset after)."""
    running: RunningSandbox = await start_sandbox(AlgodSandbox())
    raw = RawNode(node.http, running.url)
    yield raw
    await running.close()


def test_the_default_is_nodelys_free_tier() -> None:
    assert AlgodSettings() == AlgodSettings(max_concurrency=10, daily_quota=None)
    assert NODELY_FREE_CONCURRENCY == 10


async def test_an_eleventh_request_in_flight_gets_429_at_once(nodely: RawNode) -> None:
    await nodely.faults(latency_ms=1000, path=ACCOUNT)  # all eleven arrive meanwhile
    answers = await asyncio.gather(*(nodely.get(ACCOUNT) for _ in range(11)))
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] * 10 + [429]
    refused = next(answer for answer in answers if answer.status == 429)
    assert refused.json() == {"message": "too many concurrent requests"}
    stats = await nodely.stats()
    assert stats["routes"][ROUTE] == {"200": 10, "429": 1}
    assert stats["max_in_flight"] == 10


async def test_requests_one_after_another_are_never_refused(nodely: RawNode) -> None:
    statuses = [(await nodely.get(ACCOUNT)).status for _ in range(15)]
    assert statuses == [200] * 15


async def test_a_concurrency_setting_of_none_takes_any_number(nodely: RawNode) -> None:
    await nodely.settings(max_concurrency=None)
    await nodely.faults(latency_ms=200, path=ACCOUNT)
    answers = await asyncio.gather(*(nodely.get(ACCOUNT) for _ in range(20)))
    assert {answer.status for answer in answers} == {200}


async def test_a_spent_daily_quota_is_403_for_every_later_request(nodely: RawNode) -> None:
    await nodely.settings(daily_quota=2)
    statuses = [(await nodely.get(ACCOUNT)).status for _ in range(4)]
    assert statuses == [200, 200, 403, 403]
    refused = await nodely.get(ACCOUNT)
    assert refused.json() == {"message": "daily request quota exceeded"}


async def test_reset_starts_a_new_day(nodely: RawNode) -> None:
    await nodely.settings(daily_quota=1)
    assert (await nodely.get(ACCOUNT)).status == 200
    assert (await nodely.get(ACCOUNT)).status == 403
    await nodely.reset()
    await nodely.settings(daily_quota=1)
    assert (await nodely.get(ACCOUNT)).status == 200
