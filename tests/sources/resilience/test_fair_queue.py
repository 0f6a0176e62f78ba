"""The fair queue of a source's budget: a queue per caller, served in turn; a ticket that is
given up leaves at once; `ahead` foresees a new ticket's turn."""

from __future__ import annotations

import asyncio
import time

import pytest

from sources.resilience.fair_rate import FairRate
from sources.resilience.fairqueue import FairQueue
from sources.resilience.policy import RatePolicy
from sources.resilience.ratelimit import RateBudgetExhausted, TokenBucket
from sources.resilience.slots import FairSlots


def never() -> float | None:
    return None


async def served_order(queue: FairQueue, callers: list[str]) -> list[str]:
    """Join a ticket per entry of `callers`, then grant them all: who got each unit."""
    order: list[str] = []
    for caller in callers:
        ticket = queue.join(caller)
        ticket.granted.add_done_callback(lambda _, who=caller: order.append(who))
    granted = 0
    while queue.grant():
        granted += 1
    await asyncio.sleep(0)  # the callbacks run in the order of the grants
    assert granted == len(callers) == len(order)
    return order


async def test_callers_are_served_in_turn_whatever_their_queue_length() -> None:
    queue = FairQueue(unused=lambda: None)
    order = await served_order(queue, ["burst"] * 6 + ["alice", "bob", "alice"])
    assert order == ["burst", "alice", "bob", "burst", "alice", "burst", "burst", "burst", "burst"]


async def test_a_caller_alone_gets_every_unit_in_arrival_order() -> None:
    queue = FairQueue(unused=lambda: None)
    assert await served_order(queue, ["a"] * 4) == ["a"] * 4


async def test_ahead_foresees_the_turn_of_a_new_ticket() -> None:
    queue = FairQueue(unused=lambda: None)
    for _ in range(100):
        queue.join("burst")
    queue.join("alice")
    assert queue.ahead("bob") == 2  # one of burst's, alice's, then bob's
    assert queue.ahead("alice") == 3  # burst's first, alice's own, burst's second
    assert queue.ahead("burst") == 100 + 1  # its own 100, and alice's one
    assert queue.ahead("nobody-else") == 2


async def test_a_ticket_whose_time_is_up_leaves_the_queue() -> None:
    queue = FairQueue(unused=lambda: None)
    ticket = queue.join("a")
    soon = time.monotonic() + 0.05
    assert not await queue.wait(ticket, lambda: soon, time.monotonic)
    assert len(queue) == 0
    assert not queue.grant()


async def test_a_cancelled_wait_leaves_the_queue_and_the_next_ticket_is_served() -> None:
    queue = FairQueue(unused=lambda: None)
    first = asyncio.create_task(queue.wait(queue.join("a"), never, time.monotonic))
    second_ticket = queue.join("b")
    second = asyncio.create_task(queue.wait(second_ticket, never, time.monotonic))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.sleep(0)
    assert len(queue) == 1
    assert queue.grant()
    assert await second is True


async def test_a_unit_granted_as_its_ticket_is_given_up_is_handed_on() -> None:
    handed: list[str] = []
    queue = FairQueue(unused=lambda: handed.append("unit"))
    waiting = asyncio.create_task(queue.wait(queue.join("a"), never, time.monotonic))
    await asyncio.sleep(0)
    assert queue.grant()  # granted, and cancelled before the wait sees it
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert handed == ["unit"]


async def test_a_wait_goes_on_while_its_time_moves_later() -> None:
    queue = FairQueue(unused=lambda: None)
    until = [time.monotonic() + 0.05]
    ticket = queue.join("a")
    waiting = asyncio.create_task(queue.wait(ticket, lambda: until[0], time.monotonic))
    await asyncio.sleep(0.02)
    until[0] += 10  # a later waiter joined the shared call
    await asyncio.sleep(0.1)
    assert not waiting.done()
    queue.grant()
    assert await waiting is True


async def test_the_fair_rate_refuses_at_once_a_caller_whose_turn_comes_too_late() -> None:
    rate = FairRate(TokenBucket(RatePolicy(per_second=10, burst=1)), RatePolicy.of(10, 1))
    deadline = time.monotonic() + 0.5
    burst = [asyncio.create_task(rate.acquire("burst", lambda: deadline)) for _ in range(20)]
    await asyncio.sleep(0)
    # The first few fit before the deadline at 10 a second; the rest are refused at once.
    refused = [task for task in burst if task.done() and task.exception() is not None]
    assert len(refused) >= 14
    waits = [task.exception().wait_seconds for task in refused]  # type: ignore[union-attr]
    assert all(isinstance(t.exception(), RateBudgetExhausted) for t in refused)
    assert min(waits) >= 0.5
    # Another caller is not behind the burst: its turn comes second.
    started = time.monotonic()
    await rate.acquire("alice", lambda: deadline)
    assert time.monotonic() - started < 0.35
    await asyncio.gather(*burst, return_exceptions=True)


async def test_the_fair_rate_asks_its_limiter_for_no_slot_once_its_waiters_are_gone() -> None:
    bucket = TokenBucket(RatePolicy(per_second=20, burst=1))
    rate = FairRate(bucket, RatePolicy.of(20, 1))
    waiting = [asyncio.create_task(rate.acquire("burst", never)) for _ in range(50)]
    await asyncio.sleep(0.12)  # the burst and a couple more went
    for task in waiting:
        task.cancel()
    await asyncio.gather(*waiting, return_exceptions=True)
    assert rate.waiting == 0
    await asyncio.sleep(0.1)
    # The bucket was asked for at most one slot more, the one the dispatcher awaited.
    assert bucket.wait_seconds() <= 0.05 + 1e-9


async def test_fair_slots_serve_callers_in_turn_and_a_late_waiter_leaves() -> None:
    slots = FairSlots(1)
    assert await slots.acquire("burst", never, time.monotonic)
    order: list[str] = []

    async def take(caller: str) -> None:
        assert await slots.acquire(caller, never, time.monotonic)
        order.append(caller)
        slots.release()

    tasks = [asyncio.create_task(take("burst")) for _ in range(3)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(take("alice")))
    soon = time.monotonic() + 0.02
    late = asyncio.create_task(slots.acquire("bob", lambda: soon, time.monotonic))
    assert await late is False
    assert slots.waiting == 4
    slots.release()
    await asyncio.gather(*tasks)
    assert order == ["burst", "alice", "burst", "burst"]
