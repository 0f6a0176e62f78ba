"""The in-process cache keeps answers for their TTL and within both bounds, dropping LRU first."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.cache.memory import MemoryCache
from sources.cache.protocol import CachedAnswer
from tests.sources.resilience.clock import ManualClock

READ_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def answer(body: bytes = b"{}") -> CachedAnswer:
    return CachedAnswer(200, body, READ_AT)


async def test_an_answer_is_served_until_its_ttl_passes() -> None:
    clock = ManualClock()
    cache = MemoryCache(max_entries=10, max_bytes=10_000, clock=clock)
    await cache.set("k", answer(b"body"), 5)
    clock.advance(4.9)
    assert await cache.get("k") == answer(b"body")
    clock.advance(0.1)
    assert await cache.get("k") is None
    assert cache.entries == 0 and cache.bytes == 0


async def test_the_least_recently_used_entry_goes_first_past_max_entries() -> None:
    cache = MemoryCache(max_entries=2, max_bytes=10_000)
    await cache.set("a", answer(), 60)
    await cache.set("b", answer(), 60)
    assert await cache.get("a") is not None  # "b" is now the least recently used
    await cache.set("c", answer(), 60)
    assert cache.keys() == ["a", "c"]


async def test_entries_are_dropped_until_the_bytes_fit() -> None:
    body = b"x" * 1000
    one = len(body) + len("k0") + 200
    cache = MemoryCache(max_entries=100, max_bytes=3 * one)
    for index in range(5):
        await cache.set(f"k{index}", answer(body), 60)
    assert cache.keys() == ["k2", "k3", "k4"]
    assert cache.bytes == 3 * one


async def test_an_answer_larger_than_the_budget_is_not_stored() -> None:
    cache = MemoryCache(max_entries=10, max_bytes=500)
    await cache.set("small", answer(), 60)
    await cache.set("big", answer(b"x" * 500), 60)
    assert cache.keys() == ["small"]


async def test_a_zero_ttl_stores_nothing() -> None:
    cache = MemoryCache(max_entries=10, max_bytes=10_000)
    await cache.set("k", answer(), 0)
    assert await cache.get("k") is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 600)), max_size=60),
    st.integers(1, 5),
    st.integers(300, 2000),
)
def test_both_bounds_hold_after_every_write(
    writes: list[tuple[int, int]], max_entries: int, max_bytes: int
) -> None:
    async def run() -> None:
        cache = MemoryCache(max_entries=max_entries, max_bytes=max_bytes)
        for key, size in writes:
            await cache.set(f"k{key}", answer(b"x" * size), 60)
            assert cache.entries <= max_entries
            assert cache.bytes <= max_bytes

    asyncio.run(run())


async def test_a_deleted_answer_is_gone_and_its_bytes_freed() -> None:
    cache = MemoryCache(max_entries=10, max_bytes=10_000)
    await cache.set("k", answer(b"body"), 60)
    await cache.set("other", answer(), 60)
    await cache.delete("k")
    await cache.delete("never-stored")
    assert await cache.get("k") is None
    assert cache.keys() == ["other"]
    assert cache.bytes == len("other") + 200 + len(b"{}")
