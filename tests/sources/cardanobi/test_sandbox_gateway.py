"""The sandbox's nginx gateway limits each `Client-Api-Key` by its plan, as CardanoBI's does
(cardanobi-devops' `limit_req` zones, `upstream-samples`): by default the free plan, one request a
second with no burst; beyond it nginx's own 429 page, with no `Retry-After`."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.sandbox import SANDBOX_API_KEY, CardanoBISandbox, CardanoBISettings
from sources.cardanobi.sandbox_gateway import PLANS, LimitReq
from sources.sandboxing import start_sandbox
from sources.source import Source
from tests.sources.loopback import upstream

from .support import Control

ACCOUNT = f"/api/core/accounts/{data.SMALL}"
ROUTE = "GET /api/core/accounts/{stake_address}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def burst(limit: LimitReq, plan: str, key: str = "k") -> int:
    """How many requests at one instant the plan takes before refusing."""
    taken = 0
    while limit.admit(key, PLANS[plan]) and taken < 100:
        taken += 1
    return taken


@pytest.mark.parametrize(
    ("plan", "at_once"), [("free", 1), ("spo", 3), ("dev", 5), ("dapp", 11), ("enterprise", 21)]
)
def test_each_plan_takes_one_request_and_its_burst_at_once(plan: str, at_once: int) -> None:
    assert burst(LimitReq(Clock()), plan) == at_once


def test_the_free_plan_takes_the_next_request_only_a_full_second_later() -> None:
    clock = Clock()
    limit = LimitReq(clock)
    free = PLANS["free"]
    assert limit.admit("k", free)
    clock.now += 0.999
    assert not limit.admit("k", free)
    clock.now += 0.001
    assert limit.admit("k", free)


def test_a_refused_request_does_not_count() -> None:
    clock = Clock()
    limit = LimitReq(clock)
    free = PLANS["free"]
    assert limit.admit("k", free)
    for _ in range(5):
        clock.now += 0.1
        assert not limit.admit("k", free)
    clock.now += 0.5  # one second after the accepted one, whatever was refused between
    assert limit.admit("k", free)


def test_the_dapp_burst_refills_at_ten_a_second() -> None:
    clock = Clock()
    limit = LimitReq(clock)
    assert burst(limit, "dapp") == 11
    clock.now += 0.5
    assert burst(limit, "dapp") == 5


def test_keys_are_limited_apart() -> None:
    limit = LimitReq(Clock())
    assert burst(limit, "free", "a") == 1
    assert burst(limit, "free", "b") == 1


async def _api(control: Control, key: str = SANDBOX_API_KEY, token: str | None = None) -> int:
    bearer = token or await control.new_token()
    response = await control.raw(
        "GET", ACCOUNT, headers={"Authorization": f"Bearer {bearer}", "Client-Api-Key": key}
    )
    return response.status


async def test_by_default_a_second_request_within_the_second_gets_nginxs_429(
    control: Control,
) -> None:
    await control.settings(plan=CardanoBISettings().plan)  # the default: free
    token = await control.new_token()
    assert await _api(control, token=token) == 200
    response = await control.raw(
        "GET",
        ACCOUNT,
        headers={"Authorization": f"Bearer {token}", "Client-Api-Key": SANDBOX_API_KEY},
    )
    assert response.status == 429
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"<title>429 Too Many Requests</title>" in response.body
    assert b"<center>nginx</center>" in response.body
    assert "Retry-After" not in response.headers
    assert await control.routes(ROUTE) == {"200": 1, "429": 1}


async def test_a_second_later_the_free_plan_answers_again(control: Control) -> None:
    await control.settings(plan="free")
    token = await control.new_token()
    assert await _api(control, token=token) == 200
    await asyncio.sleep(1.05)
    assert await _api(control, token=token) == 200


async def test_the_token_endpoint_is_not_behind_the_apis_limit(control: Control) -> None:
    await control.settings(plan="free")
    tokens = [await control.new_token() for _ in range(3)]  # another host in reality
    assert len(set(tokens)) == 3
    assert await _api(control, token=tokens[0]) == 200


async def test_another_key_has_its_own_budget(control: Control) -> None:
    await control.settings(plan="free")
    token = await control.new_token()
    assert [await _api(control, key, token) for key in ("key-a", "key-b", "key-a")] == [
        200,
        200,
        429,
    ]


async def test_a_request_without_a_key_is_refused_before_the_limit_counts_it(
    control: Control,
) -> None:
    await control.settings(plan="free")
    token = await control.new_token()
    assert await _api(control, "", token) == 403
    assert await _api(control, token=token) == 200


async def test_a_dapp_key_takes_a_burst_of_ten_beyond_the_first(
    control_http: aiohttp.ClientSession,
) -> None:
    clock = Clock()  # the sandbox's own clock, held still: exactly one instant
    settings = CardanoBISettings(plan="dapp")
    running = await start_sandbox(CardanoBISandbox(clock=clock, settings=settings))
    try:
        async with upstream(Source.CARDANO, running.url) as http:
            control = Control(control_http, running.url, http)
            token = await control.new_token()
            statuses = [await _api(control, token=token) for _ in range(14)]
            assert statuses == [200] * 11 + [429] * 3
            clock.now += 0.3
            assert [await _api(control, token=token) for _ in range(4)] == [200] * 3 + [429]
    finally:
        await running.close()


async def test_reset_forgets_the_counts(control: Control) -> None:
    await control.settings(plan="free")
    token = await control.new_token()
    assert await _api(control, token=token) == 200
    await control.reset()
    await control.settings(plan="free")
    assert await _api(control, token=token) == 200
