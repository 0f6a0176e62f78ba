"""Single flight: concurrent callers of one key share one call, its answer or its error."""

from __future__ import annotations

import asyncio
import time

import pytest

from sources.cache.coalesce import FlightTimedOut, SingleFlight
from sources.resilience.deadline import set_deadline, time_left
from sources.resilience.waiters import current_waiters, latest_deadline
from tests.sources.resilience.upstreams import in_own_context


async def test_concurrent_callers_of_one_key_share_one_call() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    calls = 0
    release = asyncio.Event()

    async def call() -> int:
        nonlocal calls
        calls += 1
        await release.wait()
        return 42

    waiting = [asyncio.create_task(flights.run("k", call)) for _ in range(10)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == [42] * 10
    assert calls == 1
    assert flights.in_flight == 0


async def test_concurrent_callers_share_one_error() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    calls = 0

    async def call() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        raise ValueError("upstream said no")

    results = await asyncio.gather(
        *(flights.run("k", call) for _ in range(5)), return_exceptions=True
    )
    assert calls == 1
    assert all(isinstance(r, ValueError) and str(r) == "upstream said no" for r in results)


async def test_a_later_call_after_the_flight_landed_calls_again() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    calls = 0

    async def call() -> int:
        nonlocal calls
        calls += 1
        return calls

    assert await flights.run("k", call) == 1
    assert await flights.run("k", call) == 2


async def test_different_keys_do_not_share() -> None:
    flights: SingleFlight[str, str] = SingleFlight()

    async def echo(value: str) -> str:
        await asyncio.sleep(0.01)
        return value

    a, b = await asyncio.gather(
        flights.run("a", lambda: echo("a")), flights.run("b", lambda: echo("b"))
    )
    assert (a, b) == ("a", "b")


async def test_a_cancelled_first_caller_does_not_cancel_the_others() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()

    async def call() -> int:
        await release.wait()
        return 7

    first = asyncio.create_task(flights.run("k", call))
    await asyncio.sleep(0)
    second = asyncio.create_task(flights.run("k", call))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    release.set()
    assert await second == 7
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_waiter_waits_no_longer_than_its_own_deadline() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    release = asyncio.Event()

    async def call() -> int:
        await release.wait()
        return 1

    leader = asyncio.create_task(flights.run("k", call))
    await asyncio.sleep(0)

    async def wait_briefly() -> int:
        set_deadline(0.05)
        return await flights.run("k", call)

    with pytest.raises(FlightTimedOut):
        await in_own_context(wait_briefly)
    release.set()
    assert await leader == 1


async def test_a_caller_joining_a_flight_is_not_bound_by_the_first_callers_deadline() -> None:
    flights: SingleFlight[str, float | None] = SingleFlight()

    async def call() -> float | None:
        await asyncio.sleep(0.2)
        return time_left()  # the deadline the shared call runs under

    async def with_deadline(seconds: float) -> float | None:
        set_deadline(seconds)
        return await flights.run("k", call)

    hurried = asyncio.create_task(in_own_context(lambda: with_deadline(0.05)))
    await asyncio.sleep(0.01)
    patient = asyncio.create_task(in_own_context(lambda: with_deadline(10.0)))
    with pytest.raises(FlightTimedOut):
        await hurried  # the first caller waits only until its own deadline
    assert await patient is None  # the shared call ran under no request's deadline


async def test_a_call_that_lands_as_its_waiter_gives_up_still_answers_it() -> None:
    # A busy event loop (a server under load) can run the call's last step and the waiter's
    # timeout in one iteration: the waiter then sees a landed call, whose answer stands; a
    # bare TimeoutError escaping to the resolver was an "unexpected error".
    flights: SingleFlight[str, int] = SingleFlight()

    async def call() -> int:
        await asyncio.sleep(0.05)
        return 42

    async def waiter() -> int:
        set_deadline(0.1)
        return await flights.run("k", call)

    waiting = asyncio.create_task(in_own_context(waiter))
    await asyncio.sleep(0.01)  # the waiter is in its wait now
    time.sleep(0.2)  # noqa: ASYNC251 (the point: the loop is busy past both timers)
    assert await waiting == 42


async def test_the_call_is_cancelled_when_its_last_waiter_has_gone() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    cancelled = asyncio.Event()

    async def call() -> int:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return 1

    async def waiter(seconds: float) -> int:
        set_deadline(seconds)
        return await flights.run("k", call)

    first = asyncio.create_task(in_own_context(lambda: waiter(0.05)))
    await asyncio.sleep(0)
    second = asyncio.create_task(in_own_context(lambda: waiter(0.1)))
    with pytest.raises(FlightTimedOut):
        await first
    assert not cancelled.is_set()  # the second still waits for it
    with pytest.raises(FlightTimedOut):
        await second
    await asyncio.wait_for(cancelled.wait(), timeout=1)
    assert flights.in_flight == 0


async def test_a_caller_after_a_cancelled_call_starts_a_call_of_its_own() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    calls = 0

    async def call() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05 if calls > 1 else 10)
        return calls

    leaving = asyncio.create_task(flights.run("k", call))
    await asyncio.sleep(0)
    leaving.cancel()
    await asyncio.sleep(0)
    assert await flights.run("k", call) == 2


async def test_the_shared_call_sees_its_waiters_and_their_latest_deadline() -> None:
    flights: SingleFlight[str, float | None] = SingleFlight()
    joined = asyncio.Event()

    async def call() -> float | None:
        await joined.wait()
        return latest_deadline(current_waiters())

    async def waiter(seconds: float) -> float | None:
        set_deadline(seconds)
        return await flights.run("k", call)

    first = asyncio.create_task(in_own_context(lambda: waiter(1.0)))
    await asyncio.sleep(0)
    started = time.monotonic()
    second = asyncio.create_task(in_own_context(lambda: waiter(5.0)))
    await asyncio.sleep(0.01)  # both wait for the call now
    joined.set()
    latest = await first
    assert latest == await second
    assert latest is not None and 4.5 < latest - started < 5.5
