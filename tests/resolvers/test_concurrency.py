"""`gather_settled`: no load keeps running behind a field's answer."""

from __future__ import annotations

import asyncio

import pytest

from resolvers.concurrency import gather_settled


async def test_a_failure_is_raised_only_once_every_awaitable_has_ended() -> None:
    finished: list[str] = []

    async def fails_at_once() -> int:
        raise ValueError("first")

    async def ends_later() -> str:
        await asyncio.sleep(0.05)
        finished.append("later")
        return "done"

    with pytest.raises(ValueError, match="first"):
        await gather_settled(fails_at_once(), ends_later())
    assert finished == ["later"]


async def test_the_first_failure_in_argument_order_is_raised() -> None:
    async def fails(message: str, delay: float) -> None:
        await asyncio.sleep(delay)
        raise ValueError(message)

    with pytest.raises(ValueError, match="first"):
        await gather_settled(fails("first", 0.03), fails("second", 0))


async def test_results_come_back_in_argument_order() -> None:
    async def value(result: int, delay: float) -> int:
        await asyncio.sleep(delay)
        return result

    assert await gather_settled(value(1, 0.02), value(2, 0)) == (1, 2)
