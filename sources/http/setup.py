"""What every layer is built from: whom the chain talks to, the source's policy, and its wiring.

`SourcePolicy` (sources/resilience/policy.py) bounds the calls: timeouts, retries, breaker, rate,
concurrency. `Wiring` is what the chain is connected to: the observer, the shared cache, a rate
limiter shared by replicas, the body cap, and the clock and randomness tests may drive. A layer
takes the next layer and one `Setup`, and nothing else.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from sources.cache.key import cache_key
from sources.cache.parsed import ParsedCache
from sources.cache.protocol import ResponseCache
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.observe import NULL_OBSERVER, UpstreamObserver
from sources.resilience.policy import DEFAULT_MAX_BODY_BYTES, NO_RETRY, SourcePolicy
from sources.resilience.ratelimit import RateLimiter
from sources.source import Source

__all__ = ["BARE_POLICY", "DEFAULT_MAX_BODY_BYTES", "Read", "Send", "Setup", "Wiring"]

BARE_POLICY = SourcePolicy(retry=NO_RETRY, breaker=None)
"""One attempt per call, no breaker, no rate: what the clients' own tests want; the server
builds each upstream from its configured policy."""

Send = Callable[[UpstreamRequest[Any]], Coroutine[Any, Any, UpstreamResponse]]
"""A layer below the parse, seen from the one above it: it answers with the upstream's answer."""

Read = Callable[[UpstreamRequest[Any]], Coroutine[Any, Any, Any]]
"""A layer at or above the parse: it answers with the request's parsed value."""


@dataclass(frozen=True, slots=True)
class Wiring:
    """What an upstream's chain is connected to, besides its policy."""

    observer: UpstreamObserver = NULL_OBSERVER
    cache: ResponseCache | None = None
    """The shared cache of public reads as bytes (Redis, for every process and replica);
    nothing is kept when `cache_ttl_seconds` is 0."""
    parsed: ParsedCache | None = None
    """The same reads parsed, in this process (in front of `cache` when both are given)."""
    cache_ttl_seconds: float = 0.0
    rate_limiter: RateLimiter | None = None
    """Replaces the in-process token bucket of the policy's rate (one shared by replicas)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be at least 1, not {self.max_body_bytes}")


@dataclass(frozen=True, slots=True)
class Setup:
    """One upstream as its layers see it."""

    source: Source
    """The source its errors carry and its metrics count under."""
    name: str
    """How its messages call it (`CardanoBI`, `CardanoBI's identity server`)."""
    base_url: str
    policy: SourcePolicy
    wiring: Wiring

    def __post_init__(self) -> None:
        if self.policy.max_concurrency < 1:
            raise ValueError(
                f"max_concurrency must be at least 1, not {self.policy.max_concurrency}"
            )

    def target(self, request: UpstreamRequest[Any]) -> str:
        """The URL `request` goes to."""
        return request.url if request.url is not None else self.base_url + request.path

    def key(self, request: UpstreamRequest[Any]) -> str:
        """The shared cache's (and the single flight's) key of a read: no header, no credential."""
        if request.url is not None:
            return cache_key(self.source, request.method, request.url, "", request.params)
        return cache_key(self.source, request.method, self.base_url, request.path, request.params)
