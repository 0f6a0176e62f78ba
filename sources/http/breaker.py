"""The breaker layer: the source's circuit breaker around each call, its retries included.

Open: refused at once, no request (the observer hears "circuit_open"). Half-open with the probe
out: wait for its outcome, no longer than the request's deadline. Each admitted call settles with
what it found (`verdict`); a cancelled one with nothing.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from sources.errors import UpstreamError, UpstreamTimeout, UpstreamUnavailable
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup
from sources.resilience.breaker import Admission, CircuitBreaker, Verdict
from sources.resilience.deadline import time_left

__all__ = ["BreakerLayer", "verdict"]


class BreakerLayer:
    """Passes calls while the source is up (a source without a breaker policy has no such layer)."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        assert setup.policy.breaker is not None, "composed only for a source with a breaker"
        self._next = next_layer
        self._setup = setup
        self.breaker = CircuitBreaker(
            setup.policy.breaker,
            on_change=lambda state: setup.wiring.observer.breaker_changed(setup.source, state),
            clock=setup.wiring.clock,
        )

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        admission = await self._admission()
        if admission == "refused":
            raise self._circuit_open(request)
        found: Verdict = "neutral"
        try:
            response = await self._next(request)
            found = "up"
            return response
        except UpstreamError as error:
            found = verdict(error)
            raise
        finally:
            self.breaker.settle(admission, found)

    async def _admission(self) -> Admission:
        admission = self.breaker.admit()
        while admission == "wait":
            left = time_left(clock=self._setup.wiring.clock)
            try:
                await asyncio.wait_for(self.breaker.probe_settled(), timeout=left)
            except TimeoutError:
                return "refused"
            admission = self.breaker.admit()
        return admission

    def _circuit_open(self, request: UpstreamRequest[Any]) -> UpstreamUnavailable:
        source, name = self._setup.source, self._setup.name
        self._setup.wiring.observer.request_finished(source, request.label, "circuit_open", 0.0)
        return UpstreamUnavailable(
            source,
            f"{name} failed repeatedly, so its circuit is open: not calling it until a probe "
            "finds it answering again",
            retry_after_seconds=max(1, math.ceil(self.breaker.seconds_until_probe())),
            sent=False,
        )


def verdict(error: UpstreamError) -> Verdict:
    """What a failed call says of the source: nothing if it never left this server or the deadline
    cut it short; down if unavailable or timed out; else up (a refusal shows the source there)."""
    if not error.sent or error.cut_short:
        return "neutral"
    if isinstance(error, UpstreamTimeout | UpstreamUnavailable):
        return "down"
    return "up"
