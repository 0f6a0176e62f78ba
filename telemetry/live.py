"""Metrics of live subscriptions, registered in the app's own registry (`Metrics.registry`).

holdings_live_readings_total{source,role}     account readings made for subscribers: `poll`
                                              (this process read the upstream) or `relay`
                                              (another replica's reading, from Redis)
holdings_live_events_total{kind}              events handed to subscribers (holdings,
                                              portfolio), counted once per subscriber
holdings_live_subscriptions{kind}             subscriptions open now
holdings_live_pollers{source}                 account feeds this process keeps now
holdings_live_dropped_total{reason}           subscriptions ended by the server: slow_consumer,
                                              expired (the bearer token), refused (a limit)
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["LiveMetrics"]


class LiveMetrics:
    """Counts what the live hub does; one per app."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        registry = registry or CollectorRegistry(auto_describe=True)
        self._readings = Counter(
            "holdings_live_readings",
            "Account readings for live subscribers, by source and role (poll or relay).",
            ["source", "role"],
            registry=registry,
        )
        self._events = Counter(
            "holdings_live_events",
            "Events handed to live subscribers, by kind.",
            ["kind"],
            registry=registry,
        )
        self._subscriptions = Gauge(
            "holdings_live_subscriptions",
            "Live subscriptions open now, by kind.",
            ["kind"],
            registry=registry,
        )
        self._pollers = Gauge(
            "holdings_live_pollers",
            "Account feeds this process keeps now, by source.",
            ["source"],
            registry=registry,
        )
        self._dropped = Counter(
            "holdings_live_dropped",
            "Live subscriptions the server ended or refused, by reason.",
            ["reason"],
            registry=registry,
        )

    def reading(self, source: str, role: str) -> None:
        self._readings.labels(source, role).inc()

    def events(self, kind: str, count: int) -> None:
        if count:
            self._events.labels(kind).inc(count)

    def subscriptions(self, kind: str, delta: int) -> None:
        self._subscriptions.labels(kind).inc(delta)

    def pollers(self, source: str, delta: int) -> None:
        self._pollers.labels(source).inc(delta)

    def dropped(self, reason: str) -> None:
        self._dropped.labels(reason).inc()
