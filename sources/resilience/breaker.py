"""A circuit breaker per source: stop calling a source that is down, and notice when it is back.

    closed ──(failure_threshold calls in a row found it down)──▶ open
    open ──(reset_seconds passed; the next call is the probe)──▶ half_open
    half_open ──(the probe found it up)──▶ closed
    half_open ──(the probe found it down)──▶ open (for another reset_seconds)

A *call* is one `HttpUpstream.request`, retries included, so a source is judged on what callers
saw. A call finds the source **down** when it ends unavailable (connection failure, 5xx) or timed
out. Every other answer shows the source **up**: a 2xx, but also 400/401/402/403 (the source
refused *our request*, which says nothing about its health) and 429 (the source is there and asks
us to slow down; the token bucket and `Retry-After` deal with that, and opening the circuit would
turn a brief throttle into a long outage). A call that never reached the source (deadline passed,
cancelled) is **neutral**: it neither counts nor resets.

While open, or while the half-open probe is out, calls are refused at once without a request.
State changes are reported through `on_change` (the observer's `breaker_changed`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from sources.observe import BreakerState
from sources.resilience.policy import BreakerPolicy

__all__ = ["Admission", "CircuitBreaker", "Verdict"]

Verdict = Literal["up", "down", "neutral"]
Admission = Literal["refused", "call", "probe"]


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
        """Whether a call may go now: "refused", "call", or "probe" (the one call let through
        once the pause is over). Every admitted call must be followed by exactly one `settle`
        with its admission."""
        if self._state == "closed":
            return "call"
        if self._state == "open":
            if self.seconds_until_probe() > 0:
                return "refused"
            self._change("half_open")
        if self._probing:
            return "refused"
        self._probing = True
        return "probe"

    def settle(self, admission: Admission, verdict: Verdict) -> None:
        """Record how an admitted call ended.

        A call admitted while closed may end after the circuit opened: its success still shows
        the source up (and closes the circuit); its failure only adds to the count.
        """
        if admission == "probe":
            self._probing = False
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
