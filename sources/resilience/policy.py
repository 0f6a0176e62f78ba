"""The per-source resilience settings, as plain records the upstream layer can be given.

`sources/` may not read settings (they live above it), so the composition root (`server.py`)
turns the settings into one `SourcePolicy` per upstream and hands it to that upstream's
`HttpUpstream`. The defaults are stated here and the settings read them (`settings.py`), so a
record built with no arguments behaves like a server with nothing configured.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = [
    "ARRIVAL_MARGIN",
    "DEFAULT_MAX_BODY_BYTES",
    "NO_RETRY",
    "RATE_WINDOW_SECONDS",
    "BreakerPolicy",
    "RatePolicy",
    "RetryPolicy",
    "SourcePolicy",
    "Timeouts",
]

DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest (decompressed) body an upstream answer may have: far above any page we ask for."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long one attempt at an upstream call may take: to connect, and in all (body
    included)."""

    connect: float = 3.0
    total: float = 10.0

    def __post_init__(self) -> None:
        if not (self.connect > 0 and self.total > 0):
            raise ValueError(f"timeouts must be positive, not {self.connect}/{self.total}")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how often an idempotent call is tried again (see `sources.resilience.retry`).

    `max_attempts` counts the first try (1: never retry). A wait before a retry is drawn from
    `[0, min(max_seconds, base_seconds * 2**retry)]` (full jitter); a `Retry-After` is waited
    for exactly when it is at most `max_seconds`, and a longer one ends the call at once.
    """

    max_attempts: int = 3
    base_seconds: float = 0.2
    max_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts counts the first try, so at least 1, not {self}")
        if self.base_seconds < 0 or self.max_seconds < 0:
            raise ValueError(f"retry waits cannot be negative: {self}")


NO_RETRY = RetryPolicy(max_attempts=1)


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """When a source's circuit opens (`failure_threshold` calls in a row that found it down)
    and how long it stays open before one probe is let through (`reset_seconds`)."""

    failure_threshold: int = 5
    reset_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.reset_seconds <= 0:
            raise ValueError(f"a breaker needs a threshold >= 1 and a pause > 0: {self}")


ARRIVAL_MARGIN = 0.05
"""The part of each interval a configured rate leaves unused. An upstream counts requests as
they arrive, and we can only space them as they leave: two sent exactly 1 s apart arrive less
than 1 s apart whenever the first was the slower to get there (a new connection, a busy loop),
and CardanoBI's free plan (1 request/s, no burst) refuses the second. At 1/s, 50 ms."""


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """A token bucket: `per_second` requests on average, at most `burst` at once, each interval
    `margin` longer than `1 / per_second` (so never more than `per_second`)."""

    per_second: float
    burst: int
    margin: float = 0.0

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError(f"a rate needs per_second > 0 and burst >= 1: {self}")
        if not 0 <= self.margin < 1:
            raise ValueError(f"a rate's margin is a fraction of its interval, 0 to 1: {self}")

    @classmethod
    def of(cls, per_second: float, burst: int | None = None) -> RatePolicy:
        """An upstream's `per_second` (its plan's figure), with a burst of one second's worth
        unless given, and the `ARRIVAL_MARGIN` that keeps it within the plan where it counts."""
        burst = burst if burst is not None else max(1, math.ceil(per_second))
        return cls(per_second, burst, margin=ARRIVAL_MARGIN)

    @property
    def interval_seconds(self) -> float:
        """The time between two requests once the burst is spent."""
        return (1 + self.margin) / self.per_second


RATE_WINDOW_SECONDS = 1.0
"""The window the upstreams count their rate limits over: CardanoBI's plans (1 to 20 requests
a second per key) and Nodely's limits (per second, per IP) are all per second."""


@dataclass(frozen=True, slots=True)
class SourcePolicy:
    """Everything that bounds one upstream's calls."""

    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerPolicy | None = field(default_factory=BreakerPolicy)
    rate: RatePolicy | None = None
    max_concurrency: int = 32
    rate_window_seconds: float = RATE_WINDOW_SECONDS
    """How long a 429 that names no wait (no `Retry-After`) is read as asking for: the window
    the upstream's limit is counted over. 0: such a 429 is retried after the usual backoff."""

    def __post_init__(self) -> None:
        if self.rate_window_seconds < 0:
            raise ValueError(f"a rate window cannot be negative: {self.rate_window_seconds}")

    def wait_after_429(self) -> float:
        """Seconds a 429 without `Retry-After` asks for: the rate window, or the time one
        request of this source's own budget takes when that is longer (a plan slower than one
        request a second counts over a longer window)."""
        if self.rate_window_seconds <= 0:
            return 0.0
        own = 1 / self.rate.per_second if self.rate is not None else 0.0
        return max(self.rate_window_seconds, own)
