"""A source's concurrency cap, shared fairly: a semaphore whose waiters queue per caller.

`asyncio.Semaphore` serves its waiters in arrival order, so a thousand calls of one request
waiting for a slow upstream's slots made every other user wait behind all of them. `FairSlots`
hands a freed slot to the next ticket of a `FairQueue` (a queue per caller, served in turn)
instead, and a waiter whose time is up (its request's deadline, or for a shared call the latest
deadline of its waiters) leaves the queue, as does one that is cancelled.
"""

from __future__ import annotations

from collections.abc import Callable

from sources.resilience.fairqueue import FairQueue

__all__ = ["FairSlots"]


class FairSlots:
    """`slots` calls at once; the others wait, per caller, in turn."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"a concurrency cap needs at least 1 slot, not {slots}")
        self._free = slots
        self._queue = FairQueue(unused=self.release)

    @property
    def waiting(self) -> int:
        """Tickets in the queue now."""
        return len(self._queue)

    async def acquire(
        self, caller: str | None, until: Callable[[], float | None], clock: Callable[[], float]
    ) -> bool:
        """Take a slot (True), or give up when `until()` has passed first (False). Every True
        must be followed by exactly one `release`."""
        if self._free > 0 and not len(self._queue):
            self._free -= 1
            return True
        return await self._queue.wait(self._queue.join(caller), until, clock)

    def release(self) -> None:
        """Give a slot back: to the next ticket in turn, else to the free ones."""
        if not self._queue.grant():
            self._free += 1
