"""Which failed attempts are tried again, and after how long.

Only idempotent calls are retried (the caller says which; `HttpUpstream` takes GET and HEAD, and
CardanoBI's client-credentials token POST, which only mints another token). A retry is worth it
when the failure says "not now" rather than "not this":

- a connection refused, reset or broken off, and 502, 503, 504: the source or a proxy in front
  of it is briefly down;
- 429: the source asks us to slow down, often with `Retry-After`.

Not retried: 500 (the source failed on *this* request, and will most likely again), timeouts (a
retry would make the field wait a multiple of the source's timeout, longer than a field may
wait), any other 4xx, and bad bodies. The wait is exponential backoff with full jitter
(`uniform(0, min(cap, base * 2**n))`), so many callers that failed together do not come back
together; a `Retry-After` is waited for as given when it is within the cap, and a longer one ends
the call at once (waiting less would be refused again), its seconds passed on to the caller.
"""

from __future__ import annotations

import random

from sources.errors import UpstreamError, UpstreamRateLimited, UpstreamUnavailable
from sources.resilience.policy import RetryPolicy

__all__ = ["RETRYABLE_STATUSES", "backoff_seconds", "is_retryable", "wait_before_retry"]

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def is_retryable(error: UpstreamError) -> bool:
    """Whether the attempt that raised `error` may be tried again (if the call is idempotent).

    An `UpstreamUnavailable` without a status is a transport failure (no answer at all).
    """
    if isinstance(error, UpstreamRateLimited):
        return error.status == 429
    if isinstance(error, UpstreamUnavailable):
        return error.status is None or error.status in RETRYABLE_STATUSES
    return False


def backoff_seconds(policy: RetryPolicy, retry: int, rng: random.Random) -> float:
    """The full-jitter wait before retry number `retry` (1 for the first retry)."""
    ceiling = min(policy.max_seconds, policy.base_seconds * 2 ** min(retry - 1, 32))
    return rng.uniform(0, ceiling)


def wait_before_retry(
    policy: RetryPolicy, retry: int, retry_after: int | None, rng: random.Random
) -> float | None:
    """Seconds to wait before retry number `retry`, or None when it should not be taken
    (the upstream asked for a pause longer than `policy.max_seconds`)."""
    if retry_after is not None:
        return float(retry_after) if retry_after <= policy.max_seconds else None
    return backoff_seconds(policy, retry, rng)
