"""`settle_each` and `one_request_per_key`, the one way every loader answers a batch: each
distinct key fetched once, all at once, answers in key order, a failure in its own slot."""

from __future__ import annotations

import asyncio

import pytest
from aiodataloader import DataLoader

from sources.batching import one_request_per_key, settle_each


class Recorder:
    """A fetch that records its calls and how many ran at once; key 'bad' fails."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.running = 0
        self.peak = 0

    async def fetch(self, key: str) -> str:
        self.calls.append(key)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(0.01)
            if key == "bad":
                raise LookupError(key)
            return key.upper()
        finally:
            self.running -= 1


async def test_each_distinct_key_is_fetched_once_all_at_once_in_key_order() -> None:
    recorder = Recorder()
    answers = await settle_each(["b", "a", "b", "c", "a"], recorder.fetch)
    assert answers == ["B", "A", "B", "C", "A"]
    assert sorted(recorder.calls) == ["a", "b", "c"]
    assert recorder.peak == 3


async def test_a_failed_key_holds_its_exception_and_the_others_still_answer() -> None:
    answers = await settle_each(["a", "bad", "c", "bad"], Recorder().fetch)
    assert answers[0] == "A" and answers[2] == "C"
    assert isinstance(answers[1], LookupError) and answers[3] is answers[1]


async def test_cancellation_is_not_a_per_key_failure() -> None:
    async def cancelled(key: str) -> str:
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await settle_each(["a"], cancelled)


async def test_a_loader_over_one_request_per_key_fails_only_the_failed_key() -> None:
    recorder = Recorder()
    loader: DataLoader[str, str] = DataLoader(one_request_per_key(recorder.fetch), cache=False)
    results = await asyncio.gather(
        loader.load("a"), loader.load("bad"), loader.load("a"), return_exceptions=True
    )
    assert results[0] == results[2] == "A"
    assert isinstance(results[1], LookupError)
    assert sorted(recorder.calls) == ["a", "bad"]  # one request per distinct key, cache off
