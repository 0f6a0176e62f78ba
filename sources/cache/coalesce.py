"""Single flight: concurrent identical reads share one upstream call.

The first caller of a key starts the call in a task of its own; callers of the same key that
arrive before it ends wait for that task and get the same answer or the same exception. One
waiter giving up (its request cancelled or out of time) neither cancels the call nor the others'
wait, but the call is for its waiters only: when the last one has gone, it is cancelled, so it
leaves the rate queue and the concurrency queue it waits in and sends nothing for nobody (and a
later caller of the key starts a call of its own).

The call belongs to no one request: it runs without a request deadline (bounded by the source's
own timeouts and attempts), so a request that joins it is never failed by an earlier request's
shorter deadline; every caller, the first included, waits no longer than its own deadline. Its
context holds the live list of its waiters (`sources.resilience.waiters.WAITERS`): the queues
below let it wait as long as the latest of their deadlines, and its attempts spend from the
budget of the first waiter that has room. It carries the first caller's request id and caller.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sources.resilience.deadline import DEADLINE, time_left
from sources.resilience.waiters import WAITERS, Waiter

__all__ = ["FlightTimedOut", "SingleFlight"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class FlightTimedOut(Exception):
    """The waiter's deadline passed while the shared call was still running."""


@dataclass(eq=False)
class _Flight(Generic[V]):
    task: asyncio.Task[V]
    waiters: list[Waiter] = field(default_factory=list)


class SingleFlight(Generic[K, V]):
    """At most one call in flight per key."""

    def __init__(self) -> None:
        self._flights: dict[K, _Flight[V]] = {}

    @property
    def in_flight(self) -> int:
        """How many calls are running now."""
        return len(self._flights)

    async def run(self, key: K, call: Callable[[], Coroutine[Any, Any, V]]) -> V:
        """`call()`'s answer, shared with every concurrent `run` of the same key."""
        flight = self._flights.get(key)
        if flight is None:
            flight = self._start(key, call)
        waiter = Waiter.here()
        flight.waiters.append(waiter)
        try:
            return await self._wait(flight.task)
        finally:
            flight.waiters.remove(waiter)
            if not flight.waiters and not flight.task.done():
                # Nobody waits for it any more: it would only spend the source's budget.
                flight.task.cancel()
                if self._flights.get(key) is flight:
                    del self._flights[key]

    def _start(self, key: K, call: Callable[[], Coroutine[Any, Any, V]]) -> _Flight[V]:
        context = contextvars.copy_context()
        context.run(DEADLINE.set, None)
        waiters: list[Waiter] = []
        context.run(WAITERS.set, waiters)
        task = asyncio.get_running_loop().create_task(call(), context=context)
        flight = self._flights[key] = _Flight(task, waiters)
        task.add_done_callback(lambda done: self._landed(key, flight))
        return flight

    @staticmethod
    async def _wait(task: asyncio.Task[V]) -> V:
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

    def _landed(self, key: K, flight: _Flight[V]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        # Retrieved here so an answer nobody waits for any more is not reported as lost.
        if not flight.task.cancelled():
            flight.task.exception()
