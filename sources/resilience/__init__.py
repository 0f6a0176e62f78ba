"""How upstream calls survive slow, failing and strict upstreams: one small module per mechanism.

    policy.py     the per-source settings record (timeouts, retries, breaker, rate, concurrency)
    deadline.py   the current GraphQL request's deadline, in a ContextVar
    retry.py      which failures are retried, backoff with full jitter, Retry-After
    breaker.py    the per-source circuit breaker
    ratelimit.py  the RateLimiter interface and its in-process token bucket
    shared_rate.py  the rate budget shared by replicas through Redis
    fairqueue.py  waiters for a shared resource: a queue per caller, callers served in turn
    fair_rate.py  a source's rate budget through a fair queue, one slot at a time from the bucket
    slots.py      a source's concurrency cap through a fair queue
    caller.py     whose request a call is for (the user, or the client address)
    budget.py     the upstream calls the request may still make
    waiters.py    who waits for the call being made: the request, or every request sharing it

The layers of `sources.http` use them, each in its own layer, in this order: breaker → retry →
call budget → rate limit (queue per caller, never exceed) → one attempt (concurrency cap, timeout
or deadline's time left).
"""

from sources.resilience.breaker import Admission, CircuitBreaker, Verdict
from sources.resilience.budget import CALL_BUDGET, CallBudget, CallsSpent
from sources.resilience.caller import CALLER
from sources.resilience.deadline import DEADLINE, set_deadline, time_left
from sources.resilience.fair_rate import FairRate
from sources.resilience.fairqueue import FairQueue, Ticket
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
from sources.resilience.slots import FairSlots
from sources.resilience.waiters import WAITERS, Waiter, current_waiters, waited_until

__all__ = [
    "CALLER",
    "CALL_BUDGET",
    "DEADLINE",
    "NO_RETRY",
    "WAITERS",
    "Admission",
    "BreakerPolicy",
    "CallBudget",
    "CallsSpent",
    "CircuitBreaker",
    "FairQueue",
    "FairRate",
    "FairSlots",
    "RateBudgetExhausted",
    "RateLimiter",
    "RatePolicy",
    "RetryPolicy",
    "SourcePolicy",
    "Ticket",
    "Timeouts",
    "TokenBucket",
    "Unlimited",
    "Verdict",
    "Waiter",
    "current_waiters",
    "is_retryable",
    "set_deadline",
    "time_left",
    "wait_before_retry",
    "waited_until",
]
