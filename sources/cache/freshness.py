"""How old a cached answer the current read accepts, for reads that must be fresh.

A live subscription's reading polls an account to see it change: an answer that another
request left in the shared cache a moment ago is as good as a new read, one from most of a
TTL ago is not. The poller sets `MAX_AGE` (in its own task's context, like the request
deadline), and the cache layer treats an older entry as a miss; the fresh answer then goes
into the cache for everyone else. Unset (every ordinary request): any entry within its TTL.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, datetime

__all__ = ["MAX_AGE", "fresh_enough"]

MAX_AGE: ContextVar[float | None] = ContextVar("holdings_graph_cache_max_age", default=None)


def fresh_enough(read_at: datetime) -> bool:
    """Whether an answer read at `read_at` may serve the current read."""
    limit = MAX_AGE.get()
    return limit is None or (datetime.now(UTC) - read_at).total_seconds() <= limit
