"""The single-flight layer: concurrent identical public reads share one call below.

Identical means the same shared-cache key (source, URL, sorted parameters; never a header) and
the same accepted statuses (the same read may be an answer to one caller and an error to another).
The shared call runs under no one request's deadline and each caller waits no longer than its own
(`sources.cache.coalesce`); it is cancelled when the last of them has gone, and meanwhile the
layers below see who waits for it (their latest deadline, their budgets of upstream calls). It
carries the first caller's request id and caller, and its credentials are asked for once, below,
by the auth layer. Custodial reads are never cacheable, so never shared.
"""

from __future__ import annotations

from typing import Any

from sources.cache.coalesce import FlightTimedOut, SingleFlight
from sources.errors import UpstreamTimeout
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup

__all__ = ["FlightLayer"]


class FlightLayer:
    """At most one call below per identical read in flight."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup
        self._flights: SingleFlight[tuple[str, tuple[int, ...]], UpstreamResponse] = SingleFlight()

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        if not request.shared:
            return await self._next(request)
        key = (self._setup.key(request), tuple(sorted(request.accept)))
        try:
            return await self._flights.run(key, lambda: self._next(request))
        except FlightTimedOut:
            raise UpstreamTimeout(
                self._setup.source,
                f"the request's deadline passed while waiting for {self._setup.name}'s answer "
                "(a read shared with concurrent requests)",
            ) from None
