"""Single flight: concurrent identical reads share one upstream call.

The first caller of a key starts the call in a task of its own; callers of the same key that
arrive before it ends wait for that task and get the same answer or the same exception. The
task is shielded, so one waiter giving up (its request cancelled or out of time) neither cancels
the call nor the others' wait. The task runs in the first caller's context (its request id and
deadline, which bounds the call); a later waiter waits no longer than its own deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

from sources.resilience.deadline import time_left

__all__ = ["FlightTimedOut", "SingleFlight"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class FlightTimedOut(Exception):
    """The waiter's deadline passed while the shared call was still running."""


class SingleFlight(Generic[K, V]):
    """At most one call in flight per key."""

    def __init__(self) -> None:
        self._flights: dict[K, asyncio.Task[V]] = {}

    @property
    def in_flight(self) -> int:
        """How many calls are running now."""
        return len(self._flights)

    async def run(self, key: K, call: Callable[[], Awaitable[V]]) -> V:
        """`call()`'s answer, shared with every concurrent `run` of the same key."""
        task = self._flights.get(key)
        if task is None:
            task = asyncio.ensure_future(call())
            self._flights[key] = task
            task.add_done_callback(lambda done: self._landed(key, done))
            # The call runs under this caller's deadline, so it ends by then by itself.
            return await asyncio.shield(task)
        left = time_left()
        if left is None:
            return await asyncio.shield(task)
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout=max(left, 0.0))
        except TimeoutError:
            if task.done():
                raise
            raise FlightTimedOut from None

    def _landed(self, key: K, task: asyncio.Task[V]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        # Retrieved here so an answer nobody waits for any more is not reported as lost.
        if not task.cancelled():
            task.exception()
