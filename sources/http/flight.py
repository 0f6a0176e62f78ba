"""The single-flight layer: concurrent identical public reads share one call below, and its
parsed value.

Identical means the same shared-cache key (source, URL, sorted parameters; never a header) and
the same `sharing_key`: the accepted statuses (the same read may be an answer to one caller and
an error to another) and the parse. The value is parsed once, below, and every caller is handed
the same immutable record. The shared call runs under no one request's deadline and each caller
waits no longer than its own (`sources.cache.coalesce`); it is cancelled when the last of them
has gone, and meanwhile the layers below see who waits for it (their latest deadline, their
budgets of upstream calls). It carries the first caller's request id and caller, and its
credentials are asked for once, below, by the auth layer. Custodial reads are never cacheable,
so never shared.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, TypeVar, cast

from sources.cache.coalesce import FlightTimedOut, SingleFlight
from sources.errors import UpstreamTimeout
from sources.http.request import UpstreamRequest
from sources.http.setup import Read, Setup

__all__ = ["FlightLayer"]

T = TypeVar("T")


class FlightLayer:
    """At most one call below per identical read in flight."""

    def __init__(self, next_layer: Read, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup
        self._flights: SingleFlight[tuple[str, Hashable], Any] = SingleFlight()

    async def __call__(self, request: UpstreamRequest[T]) -> T:
        if not request.shared:
            return cast("T", await self._next(request))
        key = (self._setup.key(request), request.sharing_key)
        try:
            return cast("T", await self._flights.run(key, lambda: self._next(request)))
        except FlightTimedOut:
            raise UpstreamTimeout(
                self._setup.source,
                f"the request's deadline passed while waiting for {self._setup.name}'s answer "
                "(a read shared with concurrent requests)",
            ) from None
