"""The request deadline lives in a ContextVar: tasks started after it is set see it, other
contexts do not, and time left counts down on the given clock."""

from __future__ import annotations

import asyncio
import contextvars

import pytest

from sources.resilience.deadline import DEADLINE, set_deadline, time_left

from .clock import ManualClock


def test_without_a_deadline_there_is_no_limit() -> None:
    assert contextvars.Context().run(time_left) is None


def test_time_left_counts_down_on_the_clock() -> None:
    clock = ManualClock()

    def inside() -> float | None:
        set_deadline(2.0, clock=clock)
        clock.advance(0.5)
        return time_left(clock=clock)

    assert contextvars.Context().run(inside) == pytest.approx(1.5)


async def test_a_task_started_after_the_deadline_was_set_sees_it() -> None:
    async def request() -> tuple[float | None, float | None]:
        set_deadline(5.0)
        mine = DEADLINE.get()
        seen = await asyncio.create_task(_read_deadline())
        return mine, seen

    mine, seen = await asyncio.create_task(request())
    assert mine is not None and seen == mine


async def test_one_requests_deadline_is_not_seen_by_another() -> None:
    async def request(seconds: float) -> float | None:
        set_deadline(seconds)
        await asyncio.sleep(0)
        return time_left()

    short, long = await asyncio.gather(
        asyncio.create_task(request(1.0)), asyncio.create_task(request(100.0))
    )
    assert short is not None and long is not None and short < 1.0 < 99.0 < long
    assert DEADLINE.get() is None


@pytest.mark.parametrize("seconds", [0, -1])
def test_a_deadline_must_lie_in_the_future(seconds: float) -> None:
    with pytest.raises(ValueError):
        set_deadline(seconds)


async def _read_deadline() -> float | None:
    return DEADLINE.get()
