"""The deadline of the GraphQL request being served, visible to every upstream call it causes.

A request's fields are resolved in many tasks (DataLoader batches run in tasks of their own), so
the deadline travels in a `ContextVar`: set once when the request's context is made, copied into
every task created after that. It holds an absolute time on `time.monotonic()` (the clock the
event loop and `HttpUpstream` use), so "time left" needs no knowledge of when the request began.
No deadline set (a client used outside a request, as in the sources' tests) means no limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar, Token

__all__ = ["DEADLINE", "set_deadline", "time_left"]

DEADLINE: ContextVar[float | None] = ContextVar("holdings_graph_deadline", default=None)

Clock = Callable[[], float]


def set_deadline(seconds: float, *, clock: Clock = time.monotonic) -> Token[float | None]:
    """Give the current context (and the tasks it starts) `seconds` from now."""
    if not seconds > 0:
        raise ValueError(f"a deadline must lie in the future, not {seconds} s from now")
    return DEADLINE.set(clock() + seconds)


def time_left(*, clock: Clock = time.monotonic) -> float | None:
    """Seconds until the current deadline (negative once passed); None without a deadline."""
    deadline = DEADLINE.get()
    return None if deadline is None else deadline - clock()
