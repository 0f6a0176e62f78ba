"""The retry layer: an idempotent call that failed in a way that says "not now" is sent again.

Which failures are retried and how long to wait is `sources.resilience.retry`'s decision (503,
429, a dropped connection; full-jitter backoff; `Retry-After` within the cap). Only calls whose
request says `retryable` get more than one attempt, and a wait that would pass the request's
deadline is not taken. A failure that never left this server (`sent=False`: the rate budget, the
deadline) is no attempt and is passed on as it is. The last error says how many attempts it took.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sources.errors import UpstreamError
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup
from sources.resilience.deadline import time_left
from sources.resilience.retry import is_retryable, wait_before_retry

__all__ = ["RetryLayer"]


class RetryLayer:
    """Up to the policy's `max_attempts` attempts for a retryable request, one for the others."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        allowed = self._setup.policy.retry.max_attempts if request.retryable else 1
        for attempt in range(1, allowed + 1):
            try:
                return await self._next(request)
            except UpstreamError as error:
                if not error.sent:
                    raise
                wait = self._wait(error, attempt, allowed)
                if wait is None:
                    raise _after(error, attempt) from error.__cause__
                reason = error.outcome
            self._setup.wiring.observer.request_retried(self._setup.source, request.label, reason)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, error: UpstreamError, attempt: int, allowed: int) -> float | None:
        """Seconds to wait before the next attempt, or None when there is to be none."""
        if attempt >= allowed or not is_retryable(error):
            return None
        wiring = self._setup.wiring
        wait = wait_before_retry(
            self._setup.policy.retry, attempt, error.retry_after_seconds, wiring.rng
        )
        left = time_left(clock=wiring.clock)
        if wait is None or (left is not None and wait >= left):
            return None
        return wait


def _after(error: UpstreamError, attempts: int) -> UpstreamError:
    """`error`, saying how many attempts it took when there was more than one."""
    if attempts <= 1:
        return error
    return error.again(f"{error.message} (after {attempts} attempts)")
