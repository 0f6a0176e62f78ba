"""The circuit breaker on a hand-moved clock: opens after `failure_threshold` calls in a row
that found the source down, refuses while open, lets exactly one probe through after the pause,
closes when the probe finds the source up and reopens when it does not; calls that found the
source up (2xx, 4xx, 429) reset the count, neutral ones change nothing; every change reported."""

from __future__ import annotations

import asyncio

import pytest

from sources.observe import BreakerState
from sources.resilience.breaker import Admission, CircuitBreaker, Verdict
from sources.resilience.policy import BreakerPolicy

from .clock import ManualClock


class Breaker:
    """A breaker with threshold 3 and a 10 s pause, its clock, and the changes it reported."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.changes: list[BreakerState] = []
        self.breaker = CircuitBreaker(
            BreakerPolicy(failure_threshold=3, reset_seconds=10.0),
            on_change=self.changes.append,
            clock=self.clock,
        )

    def call(self, verdict: Verdict) -> Admission:
        admission = self.breaker.admit()
        if admission in ("call", "probe"):
            self.breaker.settle(admission, verdict)
        return admission

    def open(self) -> None:
        for _ in range(3):
            self.call("down")
        assert self.breaker.state == "open"


@pytest.fixture
def b() -> Breaker:
    return Breaker()


def test_a_new_breaker_is_closed_and_admits_calls(b: Breaker) -> None:
    assert b.breaker.state == "closed"
    assert b.call("up") == "call"
    assert b.changes == []


def test_it_opens_after_the_threshold_of_failures_in_a_row(b: Breaker) -> None:
    b.call("down")
    b.call("down")
    assert b.breaker.state == "closed"
    b.call("down")
    assert b.breaker.state == "open"
    assert b.changes == ["open"]


def test_a_call_that_finds_the_source_up_resets_the_count(b: Breaker) -> None:
    for verdict in ("down", "down", "up", "down", "down"):
        b.call(verdict)  # type: ignore[arg-type]
    assert b.breaker.state == "closed"


def test_neutral_calls_neither_count_nor_reset(b: Breaker) -> None:
    for verdict in ("down", "neutral", "down", "neutral"):
        b.call(verdict)  # type: ignore[arg-type]
    assert b.breaker.state == "closed"
    b.call("down")
    assert b.breaker.state == "open"


def test_an_open_breaker_refuses_calls_until_the_pause_is_over(b: Breaker) -> None:
    b.open()
    b.clock.advance(9.9)
    assert b.breaker.admit() == "refused"
    assert b.breaker.seconds_until_probe() == pytest.approx(0.1)


def test_after_the_pause_exactly_one_probe_goes(b: Breaker) -> None:
    b.open()
    b.clock.advance(10.0)
    assert b.breaker.state == "half_open"
    assert b.breaker.admit() == "probe"
    assert b.breaker.admit() == "wait"  # while the probe is out: for its outcome
    assert b.changes == ["open", "half_open"]


def test_a_probe_that_finds_the_source_up_closes_the_circuit(b: Breaker) -> None:
    b.open()
    b.clock.advance(10.0)
    b.breaker.settle(b.breaker.admit(), "up")
    assert b.breaker.state == "closed"
    assert b.changes == ["open", "half_open", "closed"]
    assert b.call("down") == "call"
    assert b.breaker.state == "closed"  # the count started again from zero


def test_a_probe_that_finds_the_source_down_reopens_for_another_pause(b: Breaker) -> None:
    b.open()
    b.clock.advance(10.0)
    b.breaker.settle(b.breaker.admit(), "down")
    assert b.changes == ["open", "half_open", "open"]
    b.clock.advance(9.0)
    assert b.breaker.admit() == "refused"
    b.clock.advance(1.0)
    assert b.breaker.admit() == "probe"


def test_a_neutral_probe_lets_the_next_caller_probe(b: Breaker) -> None:
    b.open()
    b.clock.advance(10.0)
    b.breaker.settle(b.breaker.admit(), "neutral")
    assert b.breaker.state == "half_open"
    assert b.breaker.admit() == "probe"


def test_a_call_admitted_before_the_circuit_opened_and_answered_closes_it(b: Breaker) -> None:
    early = b.breaker.admit()
    b.open()
    b.breaker.settle(early, "up")
    assert b.breaker.state == "closed"


def test_a_late_failure_of_an_earlier_call_does_not_free_the_probe(b: Breaker) -> None:
    early = b.breaker.admit()
    b.open()
    b.clock.advance(10.0)
    assert b.breaker.admit() == "probe"
    b.breaker.settle(early, "down")
    assert b.breaker.admit() == "wait"  # the probe is still out


async def test_calls_beside_the_probe_go_once_it_finds_the_source_up(b: Breaker) -> None:
    b.open()
    b.clock.advance(10.0)
    probe = b.breaker.admit()
    assert b.breaker.admit() == "wait"
    waiting = asyncio.create_task(b.breaker.probe_settled())
    await asyncio.sleep(0)
    assert not waiting.done()
    b.breaker.settle(probe, "up")
    await asyncio.wait_for(waiting, timeout=5)
    assert b.breaker.admit() == "call"


async def test_calls_beside_the_probe_are_refused_once_it_finds_the_source_down(
    b: Breaker,
) -> None:
    b.open()
    b.clock.advance(10.0)
    probe = b.breaker.admit()
    waiting = asyncio.create_task(b.breaker.probe_settled())
    await asyncio.sleep(0)
    b.breaker.settle(probe, "down")
    await asyncio.wait_for(waiting, timeout=5)
    assert b.breaker.admit() == "refused"


def test_a_breaker_policy_refuses_impossible_values() -> None:
    with pytest.raises(ValueError):
        BreakerPolicy(failure_threshold=0)
    with pytest.raises(ValueError):
        BreakerPolicy(reset_seconds=0)
