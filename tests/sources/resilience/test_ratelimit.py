"""The token bucket on a hand-moved clock: a burst goes at once, then one request every
`1 / per_second`, in arrival order; never more than the rate allows in any window; a caller whose
turn would come after its deadline is refused at once without taking a token; a cancelled
waiter gives its token back."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.resilience.policy import ARRIVAL_MARGIN, RatePolicy
from sources.resilience.ratelimit import RateBudgetExhausted, TokenBucket, Unlimited

from .clock import ManualClock


def bucket(per_second: float, burst: int, clock: ManualClock) -> TokenBucket:
    return TokenBucket(RatePolicy(per_second, burst), clock=clock, sleep=clock.sleep)


async def test_a_burst_goes_at_once_then_one_request_per_interval() -> None:
    clock = ManualClock()
    limiter = bucket(5, 2, clock)
    for _ in range(5):
        await limiter.acquire()
    assert clock.sleeps == pytest.approx([0.2, 0.2, 0.2])


async def test_callers_arriving_together_are_spaced_by_the_rate_in_arrival_order() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the clock stands still: all arrive at once
        waits.append(seconds)

    limiter = TokenBucket(RatePolicy(4, 1), clock=ManualClock(), sleep=sleep)
    for _ in range(4):
        await limiter.acquire()
    assert waits == pytest.approx([0.25, 0.5, 0.75])


@settings(max_examples=60, deadline=None)
@given(
    per_second=st.sampled_from([1.0, 2.5, 5.0, 20.0]),
    burst=st.integers(min_value=1, max_value=5),
    gaps=st.lists(st.floats(min_value=0, max_value=1.0), min_size=1, max_size=40),
)
async def test_no_window_ever_holds_more_than_burst_plus_rate_times_its_length(
    per_second: float, burst: int, gaps: list[float]
) -> None:
    clock = ManualClock()
    limiter = bucket(per_second, burst, clock)
    sent: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        await limiter.acquire()
        sent.append(clock.now)
    for i, start in enumerate(sent):
        for j in range(i, len(sent)):
            allowed = burst + (sent[j] - start) * per_second + 1e-9
            assert j - i + 1 <= allowed


async def test_a_caller_that_would_wait_past_its_deadline_is_refused_at_once() -> None:
    clock = ManualClock()
    limiter = bucket(1, 1, clock)
    await limiter.acquire()
    with pytest.raises(RateBudgetExhausted) as refused:
        await limiter.acquire(deadline=clock.now + 0.5)
    assert refused.value.wait_seconds == pytest.approx(1.0)
    assert clock.sleeps == []
    await limiter.acquire(deadline=clock.now + 1.0)  # the refused caller took no token
    assert clock.sleeps == pytest.approx([1.0])


async def test_a_cancelled_waiter_never_lets_two_requests_share_a_slot() -> None:
    # 5/s, burst 1: A goes at once; B and C queue (B cancelled); D arrives after. Giving B's
    # token back would send D in C's slot.
    limiter = TokenBucket(RatePolicy(per_second=5, burst=1))
    loop = asyncio.get_running_loop()
    sent: list[tuple[str, float]] = []
    start = loop.time()

    async def call(name: str) -> None:
        await limiter.acquire()
        sent.append((name, loop.time() - start))

    await call("A")
    b = asyncio.create_task(call("B"))
    c = asyncio.create_task(call("C"))
    await asyncio.sleep(0.01)
    b.cancel()
    d = asyncio.create_task(call("D"))
    await asyncio.gather(c, d)
    with pytest.raises(asyncio.CancelledError):
        await b
    times = sorted(t for _, t in sent)
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert [name for name, _ in sent] == ["A", "C", "D"]
    assert min(gaps) >= 0.2 - 0.02  # one slot each, never two in one


async def test_unlimited_never_waits() -> None:
    await asyncio.wait_for(asyncio.gather(*(Unlimited().acquire(0.0) for _ in range(100))), 1)


async def test_a_margin_lengthens_each_interval_so_the_plan_is_never_met_early() -> None:
    # CardanoBI's free plan refuses a request less than 1000 ms after the one before, as they
    # arrive: sent exactly 1 s apart, any one that arrives a hair sooner than its predecessor
    # did would be refused.
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    limiter = TokenBucket(RatePolicy(1, 1, margin=0.05), clock=ManualClock(), sleep=sleep)
    for _ in range(4):
        await limiter.acquire()
    assert waits == pytest.approx([1.05, 2.1, 3.15])


def test_a_configured_rate_keeps_the_arrival_margin() -> None:
    assert RatePolicy.of(1).margin == ARRIVAL_MARGIN == 0.05
    assert RatePolicy.of(1).interval_seconds == pytest.approx(1.05)
    assert RatePolicy(1, 1).interval_seconds == 1.0  # the raw record is exact


@pytest.mark.parametrize("margin", [-0.1, 1.0, 2.0])
def test_a_margin_outside_its_interval_is_refused(margin: float) -> None:
    with pytest.raises(ValueError, match="margin"):
        RatePolicy(1, 1, margin=margin)


def test_a_burst_defaults_to_one_seconds_worth() -> None:
    assert RatePolicy.of(10).burst == 10
    assert RatePolicy.of(0.5).burst == 1
    assert RatePolicy.of(2.5, 7).burst == 7


@pytest.mark.parametrize(("per_second", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_a_rate_policy_refuses_impossible_values(per_second: float, burst: int) -> None:
    with pytest.raises(ValueError):
        RatePolicy(per_second, burst)
