"""How live subscriptions behave: poll intervals per source, the lease, the limits (settings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sources import Source

__all__ = ["LivePolicy"]

_FALLBACK_SECONDS = 30.0


def _intervals() -> dict[Source, float]:
    return {Source.ALGORAND: 3.0, Source.CARDANO: 20.0, Source.CALICO: 30.0, Source.MESH: 30.0}


@dataclass(frozen=True, slots=True)
class LivePolicy:
    #: Seconds between two readings of one account, by source (`LIVE_<UPSTREAM>_POLL_SECONDS`).
    intervals: Mapping[Source, float] = field(default_factory=_intervals)
    #: How long a replica's election as an account's poller lasts unrenewed
    #: (`LIVE_LEASE_SECONDS`); a replica that dies hands over within it.
    lease_seconds: float = 5.0
    max_per_connection: int = 20
    max_per_user: int = 50
    max_total: int = 10_000
    #: Events one subscriber may have waiting before it is dropped as a slow consumer.
    queue_events: int = 16
    #: WebSocket pings and SSE comments, this often (`LIVE_HEARTBEAT_SECONDS`).
    heartbeat_seconds: float = 15.0

    def interval(self, source: Source) -> float:
        """`source`'s interval; a source with none of its own (one a package adds to the
        registry) is read as seldom as the most patient of the others."""
        known = self.intervals.get(source)
        if known is not None:
            return known
        return max(self.intervals.values(), default=_FALLBACK_SECONDS)
