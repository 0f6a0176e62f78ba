"""A circuit breaker per source: stop calling a source that is down, and notice when it is back.

    closed ──(failure_threshold calls in a row found it down)──▶ open
    open ──(reset_seconds passed; the next call is the probe)──▶ half_open
    half_open ──(the probe found it up)──▶ closed
    half_open ──(the probe found it down)──▶ open (for another reset_seconds)

A *call* is one request through `sources.http`'s breaker layer, retries included, so a source is
judged on what callers saw. A call finds the source **down** when it ends unavailable (connection
failure, 5xx) or timed out. Every other answer shows the source **up**: a 2xx, but also
400/401/402/403 (the source refused *our request*, which says nothing about its health) and 429
(the source is there and asks us to slow down; the token bucket and `Retry-After` deal with that,
and opening the circuit would turn a brief throttle into a long outage). A call that never reached
the source (deadline passed, cancelled) is **neutral**: it neither counts nor resets.

While open, calls are refused at once without a request. While the half-open probe is out, other
calls wait for its outcome (`probe_settled`, bounded by the caller's deadline): refused if it
found the source down, let through if it found it up. Refusing them instead would fail every call
that arrives beside the probe, such as the two reads one account's first page makes at once, so
the first request after a recovery would still fail.
State changes are reported through `on_change` (the observer's `breaker_changed`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Literal

from sources.observe import BreakerState
from sources.resilience.policy import BreakerPolicy

__all__ = ["Admission", "CircuitBreaker", "Verdict"]

Verdict = Literal["up", "down", "neutral"]
Admission = Literal["refused", "call", "probe", "wait"]


class CircuitBreaker:
    """One source's breaker. Not thread-safe: used from the event loop only."""

    def __init__(
        self,
        policy: BreakerPolicy,
        *,
        on_change: Callable[[BreakerState], None] = lambda state: None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._policy = policy
        self._on_change = on_change
        self._clock = clock
        self._state: BreakerState = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False
        self._probe_settled: asyncio.Event | None = None

    @property
    def state(self) -> BreakerState:
        """The state as of now (an open breaker whose pause is over reads as half-open)."""
        if self._state == "open" and self.seconds_until_probe() <= 0:
            return "half_open"
        return self._state

    def seconds_until_probe(self) -> float:
        """While open: how long until a probe may go (0 when it may); else 0."""
        if self._state != "open":
            return 0.0
        return max(0.0, self._opened_at + self._policy.reset_seconds - self._clock())

    def admit(self) -> Admission:
        """Whether a call may go now: "refused", "call", "probe" (the one call let through once
        the pause is over), or "wait" (a probe is out: await `probe_settled`, then ask again).
        Every "call" or "probe" must be followed by exactly one `settle` with its admission."""
        if self._state == "closed":
            return "call"
        if self._state == "open":
            if self.seconds_until_probe() > 0:
                return "refused"
            self._change("half_open")
        if self._probing:
            return "wait"
        self._probing = True
        self._probe_settled = asyncio.Event()
        return "probe"

    async def probe_settled(self) -> None:
        """Returns once the probe that is out now has settled (at once if none is out)."""
        if self._probe_settled is not None:
            await self._probe_settled.wait()

    def settle(self, admission: Admission, verdict: Verdict) -> None:
        """Record how an admitted call ended.

        A call admitted while closed may end after the circuit opened: its success still shows
        the source up (and closes the circuit); its failure only adds to the count.
        """
        settled: asyncio.Event | None = None
        if admission == "probe":
            self._probing = False
            settled, self._probe_settled = self._probe_settled, None
        try:
            self._record(verdict, admission)
        finally:
            if settled is not None:
                settled.set()  # waiters ask again, and see the state just recorded

    def _record(self, verdict: Verdict, admission: Admission) -> None:
        if verdict == "neutral":
            return
        if verdict == "up":
            self._failures = 0
            if self._state != "closed":
                self._change("closed")
            return
        self._failures += 1
        if (admission == "probe" and self._state == "half_open") or (
            self._state == "closed" and self._failures >= self._policy.failure_threshold
        ):
            self._opened_at = self._clock()
            self._change("open")

    def _change(self, state: BreakerState) -> None:
        self._state = state
        self._on_change(state)
