"""`SharedLoader`: a caller that leaves (its task cancelled) leaves the key's answer to the other
callers, now and from the cache, and an answer nobody waits for is never logged as unread."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from aiodataloader import DataLoader

from sources.batching import one_request_per_key
from sources.loader import SharedLoader
from tests.sources.test_batching import Recorder


async def _callers(loader: DataLoader[str, str], key: str) -> tuple[asyncio.Task[str], ...]:
    """Two callers of `key`, the first cancelled while both wait on the batch."""

    async def call() -> str:
        return await loader.load(key)

    leaving, staying = asyncio.create_task(call()), asyncio.create_task(call())
    await asyncio.sleep(0)  # both are waiting on the key's future
    leaving.cancel()
    return leaving, staying


async def test_a_cancelled_caller_leaves_the_answer_to_the_others() -> None:
    recorder = Recorder()
    loader: SharedLoader[str, str] = SharedLoader(one_request_per_key(recorder.fetch))
    leaving, staying = await _callers(loader, "a")
    assert await staying == "A"
    assert leaving.cancelled()
    assert await loader.load("a") == "A"  # from the cache
    assert recorder.calls == ["a"]


async def test_aiodataloader_alone_hands_the_cancellation_to_every_caller() -> None:
    """Why `SharedLoader` exists (should aiodataloader change this, it can go)."""
    loader: DataLoader[str, str] = DataLoader(one_request_per_key(Recorder().fetch))
    _, staying = await _callers(loader, "a")
    with pytest.raises(asyncio.CancelledError):
        await staying
    with pytest.raises(asyncio.CancelledError):
        await loader.load("a")


async def test_a_failure_nobody_waits_for_is_not_logged_as_never_retrieved() -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        recorder = Recorder()
        loader: SharedLoader[str, str] = SharedLoader(one_request_per_key(recorder.fetch))
        waiting = asyncio.ensure_future(loader.load("bad"))
        await asyncio.sleep(0)
        waiting.cancel()
        await asyncio.sleep(0.05)  # the batch fails the key meanwhile
        assert recorder.calls == ["bad"]
        del loader, waiting
        gc.collect()
    finally:
        loop.set_exception_handler(previous)
    assert reported == []
