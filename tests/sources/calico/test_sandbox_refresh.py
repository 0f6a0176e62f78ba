"""The sandbox's `POST /platform/v1/assets/refresh`: once per user a minute, else 429."""

from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from sources.calico.sandbox import CalicoSandbox
from sources.http import HttpUpstream, decode_json
from sources.source import Source

from .support import ALICE, BOB, reset, served

PATH = "/platform/v1/assets/refresh"


class Clock:
    """Monotonic seconds the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture(scope="module")
async def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture(scope="module")
async def paced(clock: Clock) -> AsyncIterator[HttpUpstream]:
    async with served(CalicoSandbox(clock=clock)) as (_, http):
        yield http


@pytest_asyncio.fixture(autouse=True)
async def fresh(paced: HttpUpstream) -> None:
    await reset(paced)


async def refresh(http: HttpUpstream, token: str | None = ALICE) -> tuple[int, Any, str | None]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = await http.request("POST", PATH, headers=headers, accept=(200, 401, 429))
    return (
        response.status,
        decode_json(Source.CALICO, response.body),
        response.headers.get("Retry-After"),
    )


async def test_the_first_refresh_is_accepted(paced: HttpUpstream) -> None:
    status, body, _ = await refresh(paced)
    assert (status, body) == (200, {"data": {"response": True}, "errors": []})


async def test_another_refresh_within_a_minute_is_429_with_the_seconds_left(
    paced: HttpUpstream, clock: Clock
) -> None:
    await refresh(paced)
    clock.now += 15.2
    status, body, retry_after = await refresh(paced)
    assert status == 429
    assert retry_after == "45"
    assert body["error"]["code"] == "rate_limited"


async def test_retry_after_is_at_least_one_second(paced: HttpUpstream, clock: Clock) -> None:
    await refresh(paced)
    clock.now += 59.9
    _, _, retry_after = await refresh(paced)
    assert retry_after == "1"


async def test_a_refresh_a_minute_later_is_accepted_again(
    paced: HttpUpstream, clock: Clock
) -> None:
    await refresh(paced)
    clock.now += 60
    status, _, _ = await refresh(paced)
    assert status == 200


async def test_refreshes_are_paced_per_user(paced: HttpUpstream) -> None:
    await refresh(paced, ALICE)
    status, _, _ = await refresh(paced, BOB)
    assert status == 200


async def test_reset_forgets_when_users_refreshed(paced: HttpUpstream) -> None:
    await refresh(paced)
    await reset(paced)
    status, _, _ = await refresh(paced)
    assert status == 200


async def test_refresh_without_a_token_is_401(paced: HttpUpstream) -> None:
    status, body, _ = await refresh(paced, token=None)
    assert (status, body["error"]["code"]) == (401, "unauthorized")
