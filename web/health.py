"""Liveness and readiness for orchestrators and load balancers.

    GET /healthz   200 {"status": "ok"} while the process serves HTTP at all
    GET /readyz    200 {"status": "ready", "upstreams": {...}} when the lifespan's services exist
                   and every upstream's session is open; 503 {"status": "not ready", ...}
                   otherwise (starting, shutting down). Each upstream shows its session
                   ("open"/"closed") and its circuit breaker's last reported state
                   ("closed" until it reports one).

Neither calls an upstream: readiness says whether this process can serve, and a slow or failing
upstream only degrades its own fields (the breaker state tells which).
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from telemetry.metrics import Metrics
from web.view import AppState

__all__ = ["Health"]


class Health:
    """The two probes over the app's state, its metrics and its set of open sessions."""

    def __init__(self, state: AppState, metrics: Metrics, sources: Collection[str]) -> None:
        self._state = state
        self._metrics = metrics
        self._sources = tuple(sources)
        #: Sources whose upstream session is open (the lifespan adds and removes them).
        self.open_sessions: set[str] = set()

    def routes(self) -> list[Route]:
        return [
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/readyz", self.readyz, methods=["GET"]),
        ]

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        upstreams = {
            source: {
                "session": "open" if source in self.open_sessions else "closed",
                "breaker": self._metrics.breaker_state(source),
            }
            for source in self._sources
        }
        ready = self._state.services is not None and all(
            source in self.open_sessions for source in self._sources
        )
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "upstreams": upstreams},
            status_code=200 if ready else 503,
        )
