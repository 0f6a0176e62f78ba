"""The rate layer: every attempt waits for its turn in the source's rate budget.

Callers queue for a slot rather than exceed the upstream's rate (`sources.resilience.fair_rate`
over the in-process token bucket, or over the budget shared by replicas through Redis): a queue
per caller, served in turn, so one caller's burst gets one slot in n while n callers wait, and a
call that nobody waits for any more (its request gone, or every request sharing it) leaves the
queue at once. A call waits as long as its request's deadline allows; a shared call (single
flight) as long as the latest deadline of the requests waiting for it. One whose turn would come
after that is refused at once, without a request: the budget is not the upstream's verdict, so
the error says `sent=False` and is neither retried nor held against the source.
"""

from __future__ import annotations

import math
from typing import Any

from sources.errors import UpstreamRateLimited
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup
from sources.resilience.caller import CALLER
from sources.resilience.fair_rate import FairRate
from sources.resilience.ratelimit import RateBudgetExhausted, TokenBucket
from sources.resilience.waiters import waited_until

__all__ = ["RateLayer"]


class RateLayer:
    """Each request (each retry too) spends one slot of the source's budget."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup
        rate, clock = setup.policy.rate, setup.wiring.clock
        limiter = setup.wiring.rate_limiter or (TokenBucket(rate) if rate is not None else None)
        self.fair = FairRate(limiter, rate, clock=clock) if limiter is not None else None

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        if self.fair is not None:
            try:
                await self.fair.acquire(CALLER.get(), waited_until)
            except RateBudgetExhausted as exc:
                raise UpstreamRateLimited(
                    self._setup.source,
                    f"the server's request budget for {self._setup.name} is spent for longer "
                    "than this request may wait",
                    retry_after_seconds=max(1, math.ceil(exc.wait_seconds)),
                    sent=False,
                ) from None
        return await self._next(request)
