"""The budget layer: every attempt (each retry too) spends one of the request's upstream calls.

A GraphQL request may make `MAX_UPSTREAM_CALLS` upstream requests (`sources.resilience.budget`).
Its estimate is checked before execution; this layer holds it to the limit while it runs, since
the real figure can pass the estimate (retries, scans that read part-way pages). An attempt the
budget has no room for is not sent: the field that needed it fails with `QUERY_TOO_COMPLEX`,
and whatever the request already read still answers. An answer from the shared cache, or a
read joined in a single flight, never reaches this layer and costs nothing; a shared call spends
from the first of its waiters whose budget has room. A call taken for but never sent (refused
by the rate budget or the deadline before it left) is given back. A credential fetched once for
every caller (`metered=False`: CardanoBI's token) spends no request's calls.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sources.errors import UpstreamError
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup
from sources.resilience.budget import CallsSpent
from sources.resilience.waiters import current_waiters, spend

__all__ = ["BudgetLayer", "UpstreamCallsSpent"]


class UpstreamCallsSpent(UpstreamError):
    """The request has made all the upstream calls it may: this one was not sent.

    Coded like the refusal of the same limit before execution (the remedy is the same: ask for
    less in one request); it is never sent, so the metrics never count it as an attempt."""

    code: ClassVar[str] = "QUERY_TOO_COMPLEX"


class BudgetLayer:
    """Spends one call of the request's budget per attempt."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        if not request.metered:
            return await self._next(request)
        try:
            budget = spend(current_waiters())
        except CallsSpent as spent:
            raise UpstreamCallsSpent(
                self._setup.source,
                f"this request has made the {spent.limit} upstream calls it may "
                f"(MAX_UPSTREAM_CALLS), so {self._setup.name} was not called; ask for less in "
                "one request",
                sent=False,
            ) from None
        try:
            return await self._next(request)
        except UpstreamError as error:
            if budget is not None and not error.sent:
                budget.give_back()
            raise
