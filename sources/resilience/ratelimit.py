"""Outbound rate limits: callers queue for a token rather than exceed an upstream's rate.

`RateLimiter` is the interface `HttpUpstream` needs, so a limiter shared by all replicas (in
Redis) can replace the in-process `TokenBucket` without touching the upstream layer.

`TokenBucket` hands out tokens by reservation: each caller takes the next token at once (the
count may go below zero) and sleeps until that token will have existed. So waiting callers are
served in arrival order, each exactly the policy's `interval_seconds` (`1 / per_second` and its
margin) after the one before once the burst is spent, and the rate is never exceeded, however
many callers arrive together. A caller whose token
would come later than its deadline takes none and gets `RateBudgetExhausted` at once, telling how
long it would have had to wait. In the server, a bucket has one caller, `FairRate`'s dispatcher,
which takes one token at a time for whoever's turn it is (`sources.resilience.fair_rate`), so
no token is reserved for a caller that then leaves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from sources.resilience.policy import RatePolicy

__all__ = ["RateBudgetExhausted", "RateLimiter", "TokenBucket", "Unlimited"]


class RateBudgetExhausted(Exception):
    """No token can be had before the caller's deadline."""

    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"the next request slot is {wait_seconds:.3f} s away")
        self.wait_seconds = wait_seconds


class RateLimiter(Protocol):
    """Grants permission for one outbound request."""

    async def acquire(self, deadline: float | None = None) -> None:
        """Return when one request may be sent (waiting as needed); raise
        `RateBudgetExhausted` instead of waiting past `deadline` (a `time.monotonic()` value)."""


class Unlimited:
    """No limit (a source without a configured rate)."""

    async def acquire(self, deadline: float | None = None) -> None:
        return None


class TokenBucket:
    """`policy.per_second` tokens a second (less its margin), holding at most `policy.burst`."""

    def __init__(
        self,
        policy: RatePolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._rate = 1 / policy.interval_seconds
        self._burst = float(policy.burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self._burst
        self._updated = clock()

    def wait_seconds(self) -> float:
        """How long a caller arriving now would wait for its token."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate

    async def acquire(self, deadline: float | None = None) -> None:
        wait = self.wait_seconds()
        if deadline is not None and self._clock() + wait > deadline:
            raise RateBudgetExhausted(wait)
        self._tokens -= 1
        if wait > 0:
            # A caller cancelled while it waits keeps its token: the callers behind it already
            # chose their sleeps after it, and giving the token back would let a newcomer take
            # a slot one of them holds (two requests in one slot). The budget errs towards
            # sending less, as the shared (Redis) budget does.
            await self._sleep(wait)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
