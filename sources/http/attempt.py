"""The bottom layer: one attempt, under the concurrency cap and within the time left.

The attempt waits for one of the source's `max_concurrency` slots (`FairSlots`: a queue per
caller, served in turn, left when the time of whoever waits for the call is up), then gets the
source's timeout or whatever is left of the request's deadline, whichever is shorter (measured
once the slot is ours: the queues used part of the deadline). No attempt starts once the
deadline has passed. An answer whose status the request does not accept becomes the error the
request's own `refusal` reads in it, else the one `error_for_status` makes of it (a 429 without
`Retry-After` is read as asking for the source's rate window, `SourcePolicy.wait_after_429`).
The observer hears how each attempt ended and how long it took.
"""

from __future__ import annotations

from typing import Any

from sources.errors import UpstreamError, UpstreamTimeout
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Setup
from sources.http.statuses import error_for_status
from sources.http.transport import Transport
from sources.observe import Outcome
from sources.resilience.caller import CALLER
from sources.resilience.deadline import time_left
from sources.resilience.slots import FairSlots
from sources.resilience.waiters import waited_until

__all__ = ["AttemptLayer"]


class AttemptLayer:
    """One request sent once, its answer read whole and checked."""

    def __init__(self, transport: Transport, setup: Setup) -> None:
        self._transport = transport
        self._setup = setup
        self._slots = FairSlots(setup.policy.max_concurrency)

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        started = self._setup.wiring.clock()
        try:
            response = await self._send(request)
        except UpstreamError as error:
            if error.sent:
                self._heard(request, error.outcome, started)
            raise
        if response.status in request.accept:
            self._heard(request, "ok", started)
            return response
        refused = self._refused(request, response)
        self._heard(request, refused.outcome, started)
        raise refused

    def _refused(self, request: UpstreamRequest[Any], response: UpstreamResponse) -> UpstreamError:
        """The error an answer of a status `request` does not accept stands for."""
        own = request.refusal(response) if request.refusal is not None else None
        if own is not None:
            return own
        setup = self._setup
        return error_for_status(
            setup.source,
            response.status,
            response.headers,
            name=setup.name,
            window_seconds=setup.policy.wait_after_429(),
        )

    async def _send(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        setup = self._setup
        clock = setup.wiring.clock
        if not await self._slots.acquire(CALLER.get(), waited_until, clock):
            raise self._too_late()
        try:
            total = setup.policy.timeouts.total
            left = time_left(clock=clock)
            cut_short = left is not None and left < total
            if left is not None:
                if left <= 0:
                    raise self._too_late()
                total = min(total, left)
            return await self._transport.exchange(request, total, cut_short)
        finally:
            self._slots.release()

    def _too_late(self) -> UpstreamTimeout:
        return UpstreamTimeout(
            self._setup.source,
            f"the request's deadline passed before {self._setup.name} could be called",
            sent=False,
        )

    def _heard(self, request: UpstreamRequest[Any], outcome: Outcome, started: float) -> None:
        seconds = self._setup.wiring.clock() - started
        self._setup.wiring.observer.request_finished(
            self._setup.source, request.label, outcome, seconds
        )
