"""Who waits for the upstream call being made: the request itself, or every request sharing it.

An ordinary call is made for one request, whose deadline, call budget and caller are in the
context (`DEADLINE`, `CALL_BUDGET`, `CALLER`). A shared call (one single flight, run in a task of
its own under no request's deadline) is made for whoever waits for it *now*: requests join it
and leave it while it runs. `SingleFlight` puts its live list of `Waiter`s in the shared call's
context (`WAITERS`), so the layers below see, at each step, the latest deadline anyone still
waits until (how long the call may queue for its rate budget) and whose budgets it may spend.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass

from sources.resilience.budget import CALL_BUDGET, CallBudget, CallsSpent
from sources.resilience.caller import CALLER
from sources.resilience.deadline import DEADLINE

__all__ = [
    "WAITERS",
    "Waiter",
    "current_waiters",
    "latest_deadline",
    "spend",
    "waited_until",
]


@dataclass(frozen=True, slots=True, eq=False)
class Waiter:
    """One request waiting for a call (compared by identity: each wait is its own)."""

    deadline: float | None
    budget: CallBudget | None
    caller: str | None

    @classmethod
    def here(cls) -> Waiter:
        """The request of the current context."""
        return cls(DEADLINE.get(), CALL_BUDGET.get(), CALLER.get())


WAITERS: ContextVar[Sequence[Waiter] | None] = ContextVar("holdings_graph_waiters", default=None)
"""Set in a shared call's context: the requests waiting for it now, the first to join first."""


def current_waiters() -> Sequence[Waiter]:
    """Who waits for the call being made in this context."""
    shared = WAITERS.get()
    return shared if shared is not None else (Waiter.here(),)


def latest_deadline(waiters: Sequence[Waiter]) -> float | None:
    """Until when someone waits: the latest deadline; None when one of them has none (or
    nobody is left, which a shared call never sees: it is cancelled with its last waiter)."""
    deadlines = [waiter.deadline for waiter in waiters]
    if not deadlines or None in deadlines:
        return None
    return max(d for d in deadlines if d is not None)


def waited_until() -> float | None:
    """Until when someone waits for the call being made in this context (None: no limit)."""
    return latest_deadline(current_waiters())


def spend(waiters: Sequence[Waiter]) -> CallBudget | None:
    """Spend one call from the first waiter whose budget has room, and return that budget;
    None when a waiter has no budget (nothing to spend). `CallsSpent` when every budget is."""
    if any(waiter.budget is None for waiter in waiters):
        return None
    for waiter in waiters:
        if waiter.budget is not None and waiter.budget.take():
            return waiter.budget
    first = waiters[0].budget if waiters else None
    raise CallsSpent(first.limit if first is not None else 0)
