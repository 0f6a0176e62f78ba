"""Helpers for the per-source batch functions behind the DataLoaders.

A batch function gets the distinct keys asked in one tick and must answer, in key order, a
value or an exception per key (aiodataloader's contract): one key's failure stays in its slot.
No upstream the graph reads has a batch endpoint, so every loader answers a batch the same way:
one request per distinct key, all at once (`settle_each`), under `HttpUpstream`'s cap.
"""

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Iterable, Sequence
from typing import Any, TypeVar, cast

__all__ = ["one_request_per_key", "settle", "settle_each"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


async def settle(calls: Iterable[Awaitable[V]]) -> list[V | Exception]:
    """Run `calls` concurrently; each slot holds the call's value or the exception it raised.

    Cancellation is not a per-key failure: it propagates.
    """
    results = await asyncio.gather(*calls, return_exceptions=True)
    settled: list[V | Exception] = []
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result
        settled.append(result)
    return settled


async def settle_each(keys: Sequence[K], fetch: Callable[[K], Awaitable[V]]) -> list[V | Exception]:
    """`fetch` each distinct key once, all concurrently; the answers come back in key order.

    A repeated key shares its one answer: the loader's cache already folds repeats, and folding
    here too keeps "one request per distinct key" true for a loader made with `cache=False`.
    """
    distinct = list(dict.fromkeys(keys))
    settled = dict(zip(distinct, await settle(fetch(key) for key in distinct), strict=True))
    return [settled[key] for key in keys]


def one_request_per_key(
    fetch: Callable[[K], Awaitable[V]],
) -> Callable[[list[K]], Coroutine[Any, Any, list[V]]]:
    """A DataLoader batch function answering each key by `fetch`, through `settle_each`."""

    async def batch(keys: list[K]) -> list[V]:
        # aiodataloader rejects the future of a slot that holds an exception; its type hint
        # (list[ReturnT]) cannot say so, hence the cast.
        return cast("list[V]", await settle_each(keys, fetch))

    return batch
