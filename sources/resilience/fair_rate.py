"""A source's rate budget, shared fairly by its callers and held by no one who has left.

`TokenBucket` and `RedisTokenBucket` hand out slots by reservation: a caller takes its slot at
once and sleeps until it comes, so it cannot give the slot back when it leaves (others chose
their slots after it). With a thousand calls of one request queued that way, the budget was
spent for minutes on calls nobody waited for any more, and every other user waited behind them.

`FairRate` keeps the queue here instead: callers wait in a `FairQueue` (a queue per caller,
served in turn), and one dispatcher asks the limiter for one slot at a time, only while someone
waits, and gives each to the next ticket. So the limiter (local, or shared by the replicas in
Redis) only ever holds this process's next slot; a caller that leaves the queue leaves at once
and costs nothing; a caller whose turn would come after its deadline (the units ahead of it, at
the source's rate, take longer than its time left) is refused at once with the wait it would have
had, without queueing. A slot that comes when its ticket has just left goes to the next ticket,
and to nobody when none is left (the budget errs towards sending less).
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Callable

from sources.resilience.fairqueue import FairQueue
from sources.resilience.policy import RatePolicy
from sources.resilience.ratelimit import RateBudgetExhausted, RateLimiter

__all__ = ["FairRate"]


class FairRate:
    """Per-caller queues over one `RateLimiter` of `policy`'s rate (None: a limiter of a rate
    not known here, whose waits are then not foreseen)."""

    def __init__(
        self,
        limiter: RateLimiter,
        policy: RatePolicy | None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limiter = limiter
        self._interval = 1.0 / policy.per_second if policy is not None else 0.0
        self._clock = clock
        self._queue = FairQueue(unused=self._hand_on)
        self._dispatcher: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Callers' tickets in the queue now."""
        return len(self._queue)

    def wait_seconds(self, caller: str | None) -> float:
        """About how long a ticket `caller` joined now would wait (the units ahead of it at the
        rate; the burst can make it shorter, later callers of others longer)."""
        return self._queue.ahead(caller) * self._interval

    async def acquire(self, caller: str | None, until: Callable[[], float | None]) -> None:
        """Return when one request of `caller` may be sent; raise `RateBudgetExhausted` at once
        when its turn would come after `until()` (asked again while it waits: a shared call's
        waiters come and go), or when that time comes first."""
        wait = self.wait_seconds(caller)
        deadline = until()
        if deadline is not None and self._clock() + wait > deadline:
            raise RateBudgetExhausted(wait)
        ticket = self._queue.join(caller)
        if self._dispatcher is None:
            # A context of its own: the dispatcher serves every caller, under no one's deadline.
            self._dispatcher = asyncio.get_running_loop().create_task(
                self._dispatch(), context=contextvars.Context()
            )
        if not await self._queue.wait(ticket, until, self._clock):
            raise RateBudgetExhausted(self.wait_seconds(caller))

    async def _dispatch(self) -> None:
        try:
            while len(self._queue):
                await self._limiter.acquire()
                self._queue.grant()
        finally:
            self._dispatcher = None

    def _hand_on(self) -> None:
        self._queue.grant()
