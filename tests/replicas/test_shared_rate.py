"""The Redis-shared rate budget, unit-level against a real redis-server: limiters in different
"processes" (each its own client) draw on one schedule that never exceeds the rate, the same
schedule one in-process bucket would keep; a slot past the deadline is refused without being
spent; the credential never reaches Redis; a dead Redis falls back to the local bucket."""

from __future__ import annotations

import itertools
import math
import time
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import redis.asyncio as redis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.resilience.policy import ARRIVAL_MARGIN, RatePolicy
from sources.resilience.ratelimit import RateBudgetExhausted, TokenBucket
from sources.resilience.shared_rate import RedisTokenBucket, budget_key, connect_redis
from sources.source import Source
from tests.redis_server import RedisServer

API_KEY = "cardanobi-plan-key-0123456789"


class StillClock:
    """A clock the test moves; `sleep` records the wait without moving it (the callers wait side
    by side, as concurrent requests do)."""

    def __init__(self) -> None:
        self.now = 5000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest_asyncio.fixture
async def clients(redis_server: RedisServer) -> AsyncIterator[tuple[redis.Redis, redis.Redis]]:
    """Two clients of the same Redis: two processes' views of it."""
    first, second = connect_redis(redis_server.url), connect_redis(redis_server.url)
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


def shared_pair(
    clients: tuple[redis.Redis, redis.Redis], policy: RatePolicy, clock: StillClock
) -> list[RedisTokenBucket]:
    key = f"test:{uuid.uuid4().hex}"
    return [
        RedisTokenBucket(client, key, policy, clock=clock, sleep=clock.sleep, shared_clock=clock)
        for client in clients
    ]


FIXTURE_SCOPE = HealthCheck.function_scoped_fixture  # the clients hold no per-example state
arrivals = st.lists(
    st.tuples(st.integers(0, 1), st.floats(0, 0.5, allow_nan=False)), min_size=1, max_size=30
)
policies = st.builds(
    RatePolicy,
    st.sampled_from([1.0, 2.0, 5.0, 8.0, 20.0]),
    st.integers(1, 4),
    # Exact, and with the margin a configured rate keeps (`RatePolicy.of`).
    margin=st.sampled_from([0.0, ARRIVAL_MARGIN]),
)


async def schedule(
    limiters: list[RedisTokenBucket], clock: StillClock, calls: list[tuple[int, float]]
) -> list[float]:
    """When each call may go: its arrival plus the wait its limiter imposed."""
    slots = []
    for which, gap in calls:
        clock.now += gap
        await limiters[which].acquire()
        slots.append(clock.now + clock.sleeps[-1] if clock.sleeps else clock.now)
        clock.sleeps.clear()
    return slots


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(policy=policies, calls=arrivals)
async def test_two_limiters_on_one_redis_never_exceed_the_rate_together(
    clients: tuple[redis.Redis, redis.Redis], policy: RatePolicy, calls: list[tuple[int, float]]
) -> None:
    clock = StillClock()
    slots = sorted(await schedule(shared_pair(clients, policy, clock), clock, calls))
    # In any second: the burst, then one slot every 1/rate after the first (rates are whole).
    allowed = policy.burst + math.ceil(policy.per_second) - 1
    for start in slots:
        # Less a microsecond or so: Redis counts whole microseconds, the test's clock does not.
        in_window = sum(1 for slot in slots if start <= slot < start + 1.0 - 2e-6)
        assert in_window <= allowed, (start, slots)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(policy=policies, calls=arrivals)
async def test_two_limiters_on_one_redis_keep_the_schedule_of_one_local_bucket(
    clients: tuple[redis.Redis, redis.Redis], policy: RatePolicy, calls: list[tuple[int, float]]
) -> None:
    clock = StillClock()
    shared = await schedule(shared_pair(clients, policy, clock), clock, calls)
    local_clock = StillClock()
    local = TokenBucket(policy, clock=local_clock, sleep=local_clock.sleep)
    expected = []
    for _, gap in calls:
        local_clock.now += gap
        await local.acquire()
        expected.append(local_clock.now + (local_clock.sleeps.pop() if local_clock.sleeps else 0))
    assert shared == pytest.approx(expected, abs=1e-4)


async def test_a_slot_past_the_deadline_is_refused_and_left_for_the_next_caller(
    clients: tuple[redis.Redis, redis.Redis],
) -> None:
    clock = StillClock()
    first, second = shared_pair(clients, RatePolicy(2, 1), clock)
    await first.acquire()  # the burst: the next slot is 0.5 s away
    with pytest.raises(RateBudgetExhausted) as refused:
        await second.acquire(deadline=clock.now + 0.2)
    assert refused.value.wait_seconds == pytest.approx(0.5, abs=1e-4)
    await second.acquire(deadline=clock.now + 0.6)
    assert clock.sleeps == pytest.approx([0.5], abs=1e-4)


async def test_the_redis_key_holds_a_hash_never_the_api_key(
    clients: tuple[redis.Redis, redis.Redis],
) -> None:
    key = budget_key(Source.CARDANO, API_KEY)
    limiter = RedisTokenBucket(clients[0], key, RatePolicy(5, 1))
    await limiter.acquire()
    stored = [k.decode() async for k in clients[0].scan_iter(match="holdings:rate:*")]
    assert key in stored
    assert all(API_KEY not in k for k in stored)
    values = [await clients[0].get(k) or b"" for k in stored]
    assert all(API_KEY.encode() not in value for value in values)
    assert await clients[0].pttl(key) > 0  # the budget expires once idle


async def test_two_limiters_on_one_redis_really_wait_for_the_shared_rate(
    clients: tuple[redis.Redis, redis.Redis],
) -> None:
    key = f"test:{uuid.uuid4().hex}"
    limiters = [RedisTokenBucket(client, key, RatePolicy(10, 1)) for client in clients]
    started = time.monotonic()
    for limiter in itertools.islice(itertools.cycle(limiters), 6):
        await limiter.acquire()
    # Six slots at 10/s with a burst of 1: the sixth comes 0.5 s after the first, at the least.
    assert time.monotonic() - started >= 0.5 - 0.01


async def test_an_unreachable_redis_falls_back_to_the_local_bucket(
    unused_tcp_port: int,
) -> None:
    client = connect_redis(f"redis://127.0.0.1:{unused_tcp_port}/0")
    clock = StillClock()
    limiter = RedisTokenBucket(
        client, "test:down", RatePolicy(4, 1), clock=clock, sleep=clock.sleep
    )
    try:
        for _ in range(3):
            await limiter.acquire()
    finally:
        await client.aclose()
    assert not limiter.shared
    # The local bucket still spaces the calls by the rate: 0.25 s, then 0.5 s.
    assert clock.sleeps == pytest.approx([0.25, 0.5])
