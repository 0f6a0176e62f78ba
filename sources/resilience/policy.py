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
    "DEFAULT_MAX_BODY_BYTES",
    "NO_RETRY",
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


@dataclass(frozen=True, slots=True)
class RatePolicy:
    """A token bucket: `per_second` requests on average, at most `burst` at once."""

    per_second: float
    burst: int

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.burst < 1:
            raise ValueError(f"a rate needs per_second > 0 and burst >= 1: {self}")

    @classmethod
    def of(cls, per_second: float, burst: int | None = None) -> RatePolicy:
        """`per_second`, with a burst of one second's worth unless given."""
        return cls(per_second, burst if burst is not None else max(1, math.ceil(per_second)))


@dataclass(frozen=True, slots=True)
class SourcePolicy:
    """Everything that bounds one upstream's calls."""

    timeouts: Timeouts = field(default_factory=Timeouts)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    breaker: BreakerPolicy | None = field(default_factory=BreakerPolicy)
    rate: RatePolicy | None = None
    max_concurrency: int = 32
