"""The rate layer: every attempt waits for its turn in the source's rate budget.

Callers queue for a token rather than exceed the upstream's rate (`sources.resilience.ratelimit`,
or the budget shared by replicas through Redis). A caller whose turn would come after its
request's deadline is refused at once, without a request: the budget is not the upstream's
verdict, so the error says `sent=False` and is neither retried nor held against the source.
"""

from __future__ import annotations

import math
from typing import Any

from sources.errors import UpstreamRateLimited
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup
from sources.resilience.deadline import DEADLINE
from sources.resilience.ratelimit import RateBudgetExhausted, RateLimiter, TokenBucket, Unlimited

__all__ = ["RateLayer"]


class RateLayer:
    """Each request (each retry too) spends one token of the source's budget."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup
        rate = setup.policy.rate
        self._limiter: RateLimiter = setup.wiring.rate_limiter or (
            TokenBucket(rate) if rate is not None else Unlimited()
        )

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        try:
            await self._limiter.acquire(DEADLINE.get())
        except RateBudgetExhausted as exc:
            raise UpstreamRateLimited(
                self._setup.source,
                f"the server's request budget for {self._setup.name} is spent for longer than "
                "this request may wait",
                retry_after_seconds=max(1, math.ceil(exc.wait_seconds)),
                sent=False,
            ) from None
        return await self._next(request)
