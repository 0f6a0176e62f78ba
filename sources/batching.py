"""Helpers for the per-source batch functions behind the DataLoaders.

A batch function gets the distinct keys asked in one tick and must answer, in key order, a
value or an exception per key (aiodataloader's contract): one key's failure stays in its slot.
"""

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

__all__ = ["settle"]

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
