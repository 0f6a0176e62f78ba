"""Single flight: concurrent identical reads share one upstream call.

The first caller of a key starts the call in a task of its own; callers of the same key that
arrive before it ends wait for that task and get the same answer or the same exception. The
task is shielded, so one waiter giving up (its request cancelled or out of time) neither cancels
the call nor the others' wait. The call belongs to no one request: it runs without a request
deadline (bounded by the source's own timeouts and attempts), so a request that joins it is
never failed by an earlier request's shorter deadline; every caller, the first included, waits
no longer than its own deadline. It carries the first caller's request id upstream.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

from sources.resilience.deadline import DEADLINE, time_left

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

    async def run(self, key: K, call: Callable[[], Coroutine[Any, Any, V]]) -> V:
        """`call()`'s answer, shared with every concurrent `run` of the same key."""
        task = self._flights.get(key)
        if task is None:
            context = contextvars.copy_context()
            context.run(DEADLINE.set, None)
            task = asyncio.get_running_loop().create_task(call(), context=context)
            self._flights[key] = task
            task.add_done_callback(lambda done: self._landed(key, done))
        left = time_left()
        if left is None:
            return await asyncio.shield(task)
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout=max(left, 0.0))
        except TimeoutError:
            if task.done() and not task.cancelled():
                # It landed while the wait was being given up (a busy loop ran both at once):
                # its answer, or its own error, stands.
                return task.result()
            raise FlightTimedOut from None

    def _landed(self, key: K, task: asyncio.Task[V]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        # Retrieved here so an answer nobody waits for any more is not reported as lost.
        if not task.cancelled():
            task.exception()
