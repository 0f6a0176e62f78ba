"""Prometheus metrics of one app, in its own registry (several apps in one process don't collide).

`Metrics` is what `server.py` passes as the `observer=` of every `HttpUpstream`: it has the
methods of `sources.observe.UpstreamObserver` (structurally: telemetry sits below every layer and
imports none of them). The GraphQL layer counts operations and errors by code, the document
cache its hits and misses, and the HTTP middleware each request. `GET /metrics` serves
`exposition()`.

    holdings_upstream_requests_total{source,endpoint,outcome}      each upstream attempt
    holdings_upstream_request_duration_seconds{source,endpoint}    histogram of their durations
    holdings_upstream_retries_total{source,endpoint,reason}        attempts tried again
    holdings_upstream_breaker_state{source}                        0 closed, 1 half-open, 2 open
    holdings_upstream_parses_total{source,endpoint,origin}         answers parsed into records:
                                                                   read from the upstream, or
                                                                   bytes from Redis ("cache")
    holdings_graphql_operations_total{type}                        query, mutation, or "invalid"
    holdings_graphql_errors_total{code}                            errors in responses, by code
    holdings_graphql_executions_total{executor,reason}             operations run on a compiled
                                                                   plan ("plan", "compiled") or
                                                                   graphql-core's executor
                                                                   ("standard", and why)
    holdings_graphql_plan_bailouts_total                           values a plan handed back to
                                                                   graphql-core to complete
    holdings_cache_hits_total{cache} / holdings_cache_misses_total{cache}  parse, validation, public
                                                                   (parsed, in process), redis
    holdings_http_requests_total{method,route,status}              HTTP requests served
    holdings_http_request_duration_seconds{route}                  histogram of their durations

Labels stay low-cardinality: endpoints are route templates, HTTP routes are the app's own paths
(anything else is "other"), codes are SCHEMA.md's.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["BREAKER_STATES", "CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The media type of `Metrics.exposition()` (Prometheus text format 0.0.4)."""

BREAKER_STATES: Mapping[str, int] = {"closed": 0, "half_open": 1, "open": 2}
"""A breaker state as the gauge reports it."""

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The metrics of one app, and the last breaker state each source reported."""

    def __init__(self, routes: Collection[str] = ("/graphql", "/metrics", "/healthz", "/readyz")):
        self.registry = CollectorRegistry(auto_describe=True)
        self._routes = frozenset(routes)
        self._breakers: dict[str, str] = {}
        registry = self.registry
        self._upstream_requests = Counter(
            "holdings_upstream_requests",
            "Upstream call attempts, by source, endpoint template and outcome.",
            ["source", "endpoint", "outcome"],
            registry=registry,
        )
        self._upstream_seconds = Histogram(
            "holdings_upstream_request_duration_seconds",
            "Duration of upstream call attempts.",
            ["source", "endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self._retries = Counter(
            "holdings_upstream_retries",
            "Upstream attempts that failed and were tried again, by reason.",
            ["source", "endpoint", "reason"],
            registry=registry,
        )
        self._breaker = Gauge(
            "holdings_upstream_breaker_state",
            "Circuit breaker state per source: 0 closed, 1 half-open, 2 open.",
            ["source"],
            registry=registry,
        )
        self._operations = Counter(
            "holdings_graphql_operations",
            "GraphQL operations executed, by type (invalid: refused before execution).",
            ["type"],
            registry=registry,
        )
        self._errors = Counter(
            "holdings_graphql_errors",
            "Errors in GraphQL responses, by extensions.code.",
            ["code"],
            registry=registry,
        )
        self._executions = Counter(
            "holdings_graphql_executions",
            "GraphQL executions by executor: a compiled plan, or graphql-core's (with the reason).",
            ["executor", "reason"],
            registry=registry,
        )
        self._bailouts = Counter(
            "holdings_graphql_plan_bailouts",
            "Values a compiled plan did not complete itself (an error, a null where none may be, "
            "an unexpected type) and handed to graphql-core's executor.",
            registry=registry,
        )
        self._cache_hits = Counter(
            "holdings_cache_hits", "Cache hits, by cache.", ["cache"], registry=registry
        )
        self._cache_misses = Counter(
            "holdings_cache_misses", "Cache misses, by cache.", ["cache"], registry=registry
        )
        self._parses = Counter(
            "holdings_upstream_parses",
            "Upstream answers parsed into records, by source, endpoint and origin: `upstream` "
            "(an answer read from the upstream, once however many requests shared it) or "
            "`cache` (bytes found in the shared cache in Redis, once per process per entry); "
            "an answer served parsed from the public cache costs none.",
            ["source", "endpoint", "origin"],
            registry=registry,
        )
        self._http_requests = Counter(
            "holdings_http_requests",
            "HTTP requests served, by method, route and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self._http_seconds = Histogram(
            "holdings_http_request_duration_seconds",
            "Duration of HTTP requests, by route.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )

    # --- sources.observe.UpstreamObserver --------------------------------------------------

    def request_finished(self, source: str, endpoint: str, outcome: str, seconds: float) -> None:
        label = str(source)
        self._upstream_requests.labels(label, endpoint, outcome).inc()
        self._upstream_seconds.labels(label, endpoint).observe(seconds)

    def request_retried(self, source: str, endpoint: str, reason: str) -> None:
        self._retries.labels(str(source), endpoint, reason).inc()

    def breaker_changed(self, source: str, state: str) -> None:
        label = str(source)
        self._breakers[label] = state
        self._breaker.labels(label).set(BREAKER_STATES.get(state, 0))

    def public_cache(self, source: str, endpoint: str, hit: bool, *, cache: str = "public") -> None:
        self.cache(cache, hit)

    def answer_parsed(self, source: str, endpoint: str, origin: str) -> None:
        self._parses.labels(str(source), endpoint, origin).inc()

    # --- the graph's own -------------------------------------------------------------------

    def operation(self, kind: str) -> None:
        self._operations.labels(kind).inc()

    def error(self, code: str) -> None:
        self._errors.labels(code).inc()

    def execution(self, executor: str, reason: str) -> None:
        self._executions.labels(executor, reason).inc()

    def plan_bailout(self) -> None:
        self._bailouts.inc()

    def cache(self, cache: str, hit: bool) -> None:
        (self._cache_hits if hit else self._cache_misses).labels(cache).inc()

    def http_request(self, method: str, path: str, status: int, seconds: float) -> None:
        route = path if path in self._routes else "other"
        self._http_requests.labels(method, route, str(status)).inc()
        self._http_seconds.labels(route).observe(seconds)

    def breaker_state(self, source: str) -> str:
        """The last state `source` (a `Source` value) reported; "closed" until it reports."""
        return self._breakers.get(source, "closed")

    def exposition(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)
