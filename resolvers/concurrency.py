"""Waiting for several loads at once without leaving any of them running behind the answer.

`asyncio.gather` raises the first failure at once and lets the other awaitables go on: a field
would answer while its sibling load still retries upstream, after the response is sent (wasted
calls, and requests a test's count, or an upstream's rate budget, sees after the fact).
`gather_settled` waits for every one to end, then raises the first failure in argument order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar, overload

__all__ = ["gather_settled"]

A = TypeVar("A")
B = TypeVar("B")


@overload
async def gather_settled(first: Awaitable[A], second: Awaitable[B], /) -> tuple[A, B]: ...


@overload
async def gather_settled(*awaitables: Awaitable[A]) -> tuple[A, ...]: ...


async def gather_settled(*awaitables: Awaitable[Any]) -> tuple[Any, ...]:
    """The results of `awaitables`, run concurrently; once all have ended, the first failure."""
    results = await asyncio.gather(*awaitables, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return tuple(results)
