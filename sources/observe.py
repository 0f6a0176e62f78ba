"""What the upstream layer tells the outside world about its calls, without knowing who listens.

`HttpUpstream` reports every attempt at an upstream call (a call with retries is several
attempts), every retry with its reason, every change of a circuit breaker, and every call an
open circuit refused (outcome "circuit_open", 0 seconds, no request sent), and every look-up
in the shared cache of public reads (hit or miss; a hit sends no request) to an
`UpstreamObserver`. The server plugs in one that feeds Prometheus metrics
(`telemetry/`); tests may plug in one that records. `NULL_OBSERVER` ignores everything.

`REQUEST_ID` holds the id of the GraphQL request being served (set by the server for each HTTP
request); `HttpUpstream` sends it upstream as `X-Request-Id` so logs on both sides join up.
Labels are low-cardinality by contract: `endpoint` is a route template such as
`GET /v2/accounts/{address}/assets`, never a concrete path with an address or a token in it.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Literal, Protocol

from sources.source import Source

__all__ = [
    "NULL_OBSERVER",
    "REQUEST_ID",
    "BreakerState",
    "NullObserver",
    "Outcome",
    "ParseOrigin",
    "PublicCache",
    "UpstreamObserver",
]

Outcome = Literal[
    "ok",
    "timeout",
    "unavailable",
    "rate_limited",
    "quota_exceeded",
    "unauthorized",
    "unauthenticated",
    "bad_response",
    "circuit_open",
]
"""How one upstream call ended: "ok" or the snake_case form of the `UpstreamError` it raised."""

BreakerState = Literal["closed", "open", "half_open"]

PublicCache = Literal["public", "redis"]
"""Which part of the cache of public reads a look-up was in."""

ParseOrigin = Literal["upstream", "cache"]
"""Where a parsed body came from: the upstream itself, or the shared cache's stored bytes."""

REQUEST_ID: ContextVar[str | None] = ContextVar("holdings_graph_request_id", default=None)


class UpstreamObserver(Protocol):
    """Receives facts about upstream calls; must be cheap and must never raise."""

    def request_finished(
        self, source: Source, endpoint: str, outcome: Outcome, seconds: float
    ) -> None:
        """One attempt at an upstream call ended (each retry is its own attempt)."""

    def request_retried(self, source: Source, endpoint: str, reason: Outcome) -> None:
        """An attempt failed with `reason` and the call will be tried again."""

    def breaker_changed(self, source: Source, state: BreakerState) -> None:
        """The source's circuit breaker entered `state`."""

    def public_cache(
        self, source: Source, endpoint: str, hit: bool, *, cache: PublicCache = "public"
    ) -> None:
        """A cacheable read looked in the shared cache of public data: found (`hit`) or not;
        `public` is the in-process cache of parsed answers, `redis` the bytes behind it."""

    def answer_parsed(self, source: Source, endpoint: str, origin: ParseOrigin) -> None:
        """An answer's body was parsed into records: one read from the upstream (`upstream`,
        once per call however many requests shared it), or one found as bytes in the shared
        cache in Redis (`cache`, once per process per entry)."""


class NullObserver:
    """An observer that ignores everything (the default)."""

    def request_finished(
        self, source: Source, endpoint: str, outcome: Outcome, seconds: float
    ) -> None:
        return None

    def request_retried(self, source: Source, endpoint: str, reason: Outcome) -> None:
        return None

    def breaker_changed(self, source: Source, state: BreakerState) -> None:
        return None

    def public_cache(
        self, source: Source, endpoint: str, hit: bool, *, cache: PublicCache = "public"
    ) -> None:
        return None

    def answer_parsed(self, source: Source, endpoint: str, origin: ParseOrigin) -> None:
        return None


NULL_OBSERVER: UpstreamObserver = NullObserver()
