"""How upstream calls survive slow, failing and strict upstreams: one small module per mechanism.

    policy.py     the per-source settings record (timeouts, retries, breaker, rate, concurrency)
    deadline.py   the current GraphQL request's deadline, in a ContextVar
    retry.py      which failures are retried, backoff with full jitter, Retry-After
    breaker.py    the per-source circuit breaker
    ratelimit.py  the RateLimiter interface and its in-process token bucket

The layers of `sources.http` use them, each in its own layer, in this order: breaker → retry →
rate limit (queue, never exceed) → one attempt (concurrency cap, timeout or deadline's time left).
"""

from sources.resilience.breaker import Admission, CircuitBreaker, Verdict
from sources.resilience.deadline import DEADLINE, set_deadline, time_left
from sources.resilience.policy import (
    NO_RETRY,
    BreakerPolicy,
    RatePolicy,
    RetryPolicy,
    SourcePolicy,
    Timeouts,
)
from sources.resilience.ratelimit import RateBudgetExhausted, RateLimiter, TokenBucket, Unlimited
from sources.resilience.retry import is_retryable, wait_before_retry

__all__ = [
    "DEADLINE",
    "NO_RETRY",
    "Admission",
    "BreakerPolicy",
    "CircuitBreaker",
    "RateBudgetExhausted",
    "RateLimiter",
    "RatePolicy",
    "RetryPolicy",
    "SourcePolicy",
    "Timeouts",
    "TokenBucket",
    "Unlimited",
    "Verdict",
    "is_retryable",
    "set_deadline",
    "time_left",
    "wait_before_retry",
]
