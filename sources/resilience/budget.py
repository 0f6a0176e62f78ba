"""The upstream requests one GraphQL request may still make, as the upstream layer sees them.

The resolvers' `UpstreamCallBudget` (`MAX_UPSTREAM_CALLS`, its estimate checked before execution)
is put in `CALL_BUDGET` when the request's context is made, so every task the request starts
inherits it, and `sources.http`'s budget layer spends from it before each attempt (and gives
back what it took for an attempt that was never sent). No budget set (a client used outside a
request) means no limit.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol

__all__ = ["CALL_BUDGET", "CallBudget", "CallsSpent"]


class CallBudget(Protocol):
    """Upstream requests a request may make."""

    @property
    def limit(self) -> int:
        """How many in all."""
        ...

    def take(self, calls: int = 1) -> bool:
        """Spend `calls` of them; False (and nothing spent) when they would exceed `limit`."""
        ...

    def give_back(self, calls: int = 1) -> None:
        """Return `calls` taken for requests that were never sent."""
        ...


class CallsSpent(Exception):
    """Every budget a call could spend from is spent; carries the (first) budget's limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the budget of {limit} upstream calls is spent")
        self.limit = limit


CALL_BUDGET: ContextVar[CallBudget | None] = ContextVar("holdings_graph_call_budget", default=None)
