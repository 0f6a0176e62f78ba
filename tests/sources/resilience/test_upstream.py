"""`HttpUpstream` against the real sandboxes: what retries, the breaker, the limits and the
deadline do, counted at the sandbox. Each test builds its own upstreams with the policy it needs."""

from __future__ import annotations

import asyncio
import time

import pytest

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.errors import (
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.http import Timeouts
from sources.observe import REQUEST_ID
from sources.resilience.deadline import set_deadline
from sources.resilience.policy import BreakerPolicy, RatePolicy, RetryPolicy
from sources.resilience.ratelimit import TokenBucket
from sources.source import Source
from tests.harness import Sandboxes

from .clock import ManualClock
from .upstreams import Recorder, clients, in_own_context

ACCOUNT = "GET /v2/accounts/{address}"
ACCOUNT_ASSETS = "GET /v2/accounts/{address}/assets"
CARDANOBI_ACCOUNT = "GET /api/core/accounts/{stake_address}"
CARDANOBI_ASSETS = "GET /api/core/accounts/{stake_address}/assets"
SMALL = algod_data.SMALL
RETRY3 = RetryPolicy(max_attempts=3, base_seconds=0.01, max_seconds=5.0)
MARGIN = 1.0
"""Seconds of slack on the only upper bounds here (the issue's "timeout plus a small margin")."""


# -- retries ----------------------------------------------------------------------------------


async def test_a_source_that_fails_twice_then_answers_costs_three_requests(
    clean: Sandboxes,
) -> None:
    await clean.algod.faults(status=503, count=2)
    async with clients(clean, retry=RETRY3) as c:
        account = await c.algod.account(SMALL)
    assert account.address == SMALL
    assert (await clean.algod.stats())["routes"][ACCOUNT] == {"503": 2, "200": 1}


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_source_failing_every_attempt_fails_after_the_last_one(
    clean: Sandboxes, status: int
) -> None:
    await clean.algod.faults(status=status)
    async with clients(clean, retry=RETRY3) as c:
        with pytest.raises(UpstreamUnavailable) as failed:
            await c.algod.account(SMALL)
    assert failed.value.status == status and "after 3 attempts" in failed.value.message
    assert await clean.algod.count(ACCOUNT) == 3


async def test_a_500_is_not_retried(clean: Sandboxes) -> None:
    await clean.algod.faults(status=500)
    async with clients(clean, retry=RETRY3) as c:
        with pytest.raises(UpstreamUnavailable):
            await c.algod.account(SMALL)
    assert await clean.algod.count(ACCOUNT) == 1


async def test_dropped_connections_are_retried(clean: Sandboxes) -> None:
    await clean.algod.faults(drop=True, count=2)
    async with clients(clean, retry=RETRY3) as c:
        assert (await c.algod.account(SMALL)).address == SMALL
    assert (await clean.algod.stats())["routes"][ACCOUNT] == {"dropped": 2, "200": 1}


async def test_a_retry_after_is_waited_for_before_the_retry(clean: Sandboxes) -> None:
    await clean.algod.faults(status=429, retry_after=1, count=1)
    async with clients(clean, retry=RETRY3) as c:
        started = time.monotonic()
        await c.algod.account(SMALL)
        took = time.monotonic() - started
    assert took >= 1.0
    assert (await clean.algod.stats())["routes"][ACCOUNT] == {"429": 1, "200": 1}


async def test_a_429_without_retry_after_waits_the_rate_window_before_the_next_try(
    clean: Sandboxes,
) -> None:
    # No Retry-After (Nodely's and CardanoBI's 429s send none): the backoff alone would come
    # back within 0.01 s; the upstreams' limits count per second.
    await clean.algod.record_arrivals()
    await clean.algod.faults(status=429, count=1)
    async with clients(clean, retry=RETRY3) as c:
        assert (await c.algod.account(SMALL)).address == SMALL
    refused, retried = await clean.algod.arrivals(ACCOUNT)
    assert retried - refused >= 1.0
    assert (await clean.algod.stats())["routes"][ACCOUNT] == {"429": 1, "200": 1}


async def test_cardanobis_free_plan_refuses_one_and_its_retry_comes_after_the_second(
    clean: Sandboxes,
) -> None:
    # The plan takes one request a second per key and answers nginx's 429 page, without
    # Retry-After, to a second one within it; these upstreams have no rate budget of their own
    # (as a server whose budget is above the plan, or one sharing the key with another).
    await clean.cardanobi.settings(plan="free")
    await clean.cardanobi.record_arrivals()
    async with clients(clean, retry=RETRY3) as c:
        account, tokens = await asyncio.gather(
            c.cardanobi.account(cardano_data.SMALL), c.cardanobi.account_assets(cardano_data.SMALL)
        )
    assert account is not None and account.total_balance == cardano_data.SMALL_ADA
    assert len(tokens.entries) == len(cardano_data.tokens()[cardano_data.SMALL])
    routes = (await clean.cardanobi.stats())["routes"]
    served = [routes[route] for route in (CARDANOBI_ACCOUNT, CARDANOBI_ASSETS)]
    # One of the two answered 429 once, and its one retry was served: within the second, a
    # retry after the backoff alone would have been refused again, three times over.
    assert sorted(sorted(outcomes.items()) for outcomes in served) == [
        [("200", 1)],
        [("200", 1), ("429", 1)],
    ]
    arrivals = sorted(
        [
            *await clean.cardanobi.arrivals(CARDANOBI_ACCOUNT),
            *await clean.cardanobi.arrivals(CARDANOBI_ASSETS),
        ]
    )
    assert len(arrivals) == 3 and arrivals[2] - arrivals[1] >= 1.0


async def test_a_retry_after_beyond_the_cap_ends_the_call_at_once_with_it(
    clean: Sandboxes,
) -> None:
    await clean.algod.faults(status=429, retry_after=30)
    async with clients(clean, retry=RETRY3) as c:
        with pytest.raises(UpstreamRateLimited) as failed:
            await c.algod.account(SMALL)
    assert failed.value.retry_after_seconds == 30
    assert await clean.algod.count(ACCOUNT) == 1


async def test_rate_limited_to_the_last_try_says_when_to_come_back(clean: Sandboxes) -> None:
    await clean.mesh.faults(status=429, retry_after=0)
    async with clients(clean, retry=RETRY3) as c:
        with pytest.raises(UpstreamRateLimited) as failed:
            await c.mesh.portfolio("alice")
    assert failed.value.retry_after_seconds == 0
    assert await clean.mesh.total() == 3


async def test_a_calico_refresh_is_sent_once_whatever_it_answers(clean: Sandboxes) -> None:
    await clean.calico.faults(status=503)
    async with clients(clean, retry=RETRY3) as c:
        with pytest.raises(UpstreamUnavailable):
            await c.calico.refresh("sandbox-calico-alice")
    assert await clean.calico.count("POST /platform/v1/assets/refresh") == 1


async def test_cardanobis_token_request_is_retried(clean: Sandboxes) -> None:
    await clean.cardanobi.faults(status=503, count=1, path="/connect/token")
    async with clients(clean, retry=RETRY3) as c:
        account = await c.cardanobi.account(cardano_data.SMALL)
    assert account is not None and account.total_balance == cardano_data.SMALL_ADA
    assert (await clean.cardanobi.stats())["routes"]["POST /connect/token"] == {
        "503": 1,
        "200": 1,
    }


async def test_a_timeout_is_not_retried_and_waits_no_longer_than_the_timeout(
    clean: Sandboxes,
) -> None:
    recorder = Recorder()
    await clean.algod.faults(latency_ms=3000)
    options = {"retry": RETRY3, "timeouts": Timeouts(connect=1, total=0.3), "observer": recorder}
    async with clients(clean, **options) as c:
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout):
            await c.algod.account(SMALL)
        took = time.monotonic() - started
    assert took < 0.3 + MARGIN
    # Counted by the client: the sandbox only counts a request once its latency is over.
    assert recorder.outcomes() == ["timeout"] and recorder.retried == []


# -- the request's deadline -------------------------------------------------------------------


async def test_an_attempt_gets_only_the_time_left_before_the_deadline(clean: Sandboxes) -> None:
    await clean.algod.faults(latency_ms=5000)
    async with clients(clean, timeouts=Timeouts(connect=1, total=10)) as c:

        async def call() -> float:
            set_deadline(0.4)
            started = time.monotonic()
            with pytest.raises(UpstreamTimeout) as failed:
                await c.algod.account(SMALL)
            assert "deadline" in failed.value.message
            return time.monotonic() - started

        took = await in_own_context(call)
    assert took < 0.4 + MARGIN


async def test_no_attempt_starts_once_the_deadline_has_passed(clean: Sandboxes) -> None:
    async with clients(clean) as c:

        async def call() -> None:
            set_deadline(0.05)
            await asyncio.sleep(0.1)
            with pytest.raises(UpstreamTimeout) as failed:
                await c.mesh.portfolio("bob")
            assert "deadline passed before Mesh could be called" in failed.value.message

        await in_own_context(call)
    assert await clean.mesh.total() == 0


async def test_a_retry_wait_that_would_pass_the_deadline_is_not_taken(clean: Sandboxes) -> None:
    # Mesh: a read of one user's data, never shared with other requests (a shared public read
    # runs under no single request's deadline: tests/sources/cache/test_coalesce.py).
    await clean.mesh.faults(status=503, retry_after=3)
    async with clients(clean, retry=RETRY3) as c:

        async def call() -> float:
            set_deadline(1.0)
            started = time.monotonic()
            with pytest.raises(UpstreamUnavailable):
                await c.mesh.portfolio("alice")
            return time.monotonic() - started

        took = await in_own_context(call)
    assert took < 1.0 + MARGIN  # not the 3 s the upstream asked for
    assert await clean.mesh.total() == 1


async def test_a_shared_public_read_leaves_each_caller_at_its_own_deadline(
    clean: Sandboxes,
) -> None:
    await clean.algod.faults(status=503, retry_after=3)
    async with clients(clean, retry=RETRY3) as c:

        async def call() -> float:
            set_deadline(1.0)
            started = time.monotonic()
            with pytest.raises(UpstreamTimeout):
                await c.algod.account(SMALL)
            return time.monotonic() - started

        took = await in_own_context(call)
    assert took < 1.0 + MARGIN  # the caller left at its deadline, not after the 3 s wait


# -- the circuit breaker ----------------------------------------------------------------------


def _breaker_options(clock: ManualClock, recorder: Recorder) -> dict[str, object]:
    return {
        "breaker": BreakerPolicy(failure_threshold=2, reset_seconds=30),
        "clock": clock,
        "observer": recorder,
    }


async def test_an_open_circuit_fails_fast_without_a_request(clean: Sandboxes) -> None:
    clock, recorder = ManualClock(), Recorder()
    await clean.algod.faults(status=503)
    async with clients(clean, **_breaker_options(clock, recorder)) as c:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await c.algod.account(SMALL)
        with pytest.raises(UpstreamUnavailable) as refused:
            await c.algod.account(SMALL)
        assert c.upstreams[Source.ALGORAND].breaker_state == "open"
    assert "circuit is open" in refused.value.message
    assert refused.value.retry_after_seconds == 30
    assert await clean.algod.count(ACCOUNT) == 2
    assert recorder.outcomes() == ["unavailable", "unavailable", "circuit_open"]
    assert recorder.breaker == [(Source.ALGORAND, "open")]


async def test_after_the_pause_one_probe_goes_and_its_answer_closes_the_circuit(
    clean: Sandboxes,
) -> None:
    clock, recorder = ManualClock(), Recorder()
    await clean.algod.faults(status=503)
    async with clients(clean, **_breaker_options(clock, recorder)) as c:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await c.algod.account(SMALL)
        await clean.algod.reset()
        clock.advance(30)
        assert (await c.algod.account(SMALL)).address == SMALL
        assert (await c.algod.account(SMALL)).address == SMALL
        assert c.upstreams[Source.ALGORAND].breaker_state == "closed"
    assert await clean.algod.count(ACCOUNT) == 2
    assert [state for _, state in recorder.breaker] == ["open", "half_open", "closed"]


async def test_a_probe_that_fails_opens_the_circuit_for_another_pause(clean: Sandboxes) -> None:
    clock, recorder = ManualClock(), Recorder()
    await clean.algod.faults(status=500)
    async with clients(clean, **_breaker_options(clock, recorder)) as c:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await c.algod.account(SMALL)
        clock.advance(30)
        with pytest.raises(UpstreamUnavailable) as probe:
            await c.algod.account(SMALL)
        with pytest.raises(UpstreamUnavailable) as refused:
            await c.algod.account(SMALL)
    assert "HTTP 500" in probe.value.message and "circuit" in refused.value.message
    assert await clean.algod.count(ACCOUNT) == 3
    assert [state for _, state in recorder.breaker] == ["open", "half_open", "open"]


@pytest.mark.parametrize(
    ("status", "error"), [(401, UpstreamUnauthorized), (429, UpstreamRateLimited)]
)
async def test_refusals_of_our_request_never_open_the_circuit(
    clean: Sandboxes, status: int, error: type[Exception]
) -> None:
    clock, recorder = ManualClock(), Recorder()
    await clean.algod.faults(status=status)
    async with clients(clean, **_breaker_options(clock, recorder)) as c:
        for _ in range(5):
            with pytest.raises(error):
                await c.algod.account(SMALL)
        assert c.upstreams[Source.ALGORAND].breaker_state == "closed"
    assert await clean.algod.count(ACCOUNT) == 5
    assert recorder.breaker == []


async def test_timeouts_count_as_the_source_being_down(clean: Sandboxes) -> None:
    clock, recorder = ManualClock(), Recorder()
    await clean.algod.faults(latency_ms=3000)
    options = _breaker_options(clock, recorder) | {"timeouts": Timeouts(connect=1, total=0.2)}
    async with clients(clean, **options) as c:
        for _ in range(2):
            with pytest.raises(UpstreamTimeout):
                await c.algod.account(SMALL)
        assert c.upstreams[Source.ALGORAND].breaker_state == "open"


# -- what the observer hears ------------------------------------------------------------------


async def test_the_observer_hears_each_attempt_and_each_retry_with_its_reason(
    clean: Sandboxes,
) -> None:
    recorder = Recorder()
    await clean.algod.faults(status=503, count=1)
    async with clients(clean, retry=RETRY3, observer=recorder) as c:
        await c.algod.account(SMALL)
        await clean.algod.faults(status=429, retry_after=0, count=1, path="/assets")
        await c.algod.account_assets(SMALL)
    assert recorder.finished == [
        (Source.ALGORAND, ACCOUNT, "unavailable"),
        (Source.ALGORAND, ACCOUNT, "ok"),
        (Source.ALGORAND, "GET /v2/accounts/{address}/assets", "rate_limited"),
        (Source.ALGORAND, "GET /v2/accounts/{address}/assets", "ok"),
    ]
    assert recorder.retried == [
        (Source.ALGORAND, ACCOUNT, "unavailable"),
        (Source.ALGORAND, "GET /v2/accounts/{address}/assets", "rate_limited"),
    ]
    assert all(seconds >= 0 for seconds in recorder.seconds)


@pytest.mark.parametrize("source", ["algod", "cardanobi", "calico", "mesh"])
async def test_every_client_labels_its_calls_with_a_route_template(
    clean: Sandboxes, source: str
) -> None:
    recorder = Recorder()
    async with clients(clean, observer=recorder) as c:
        calls = {
            "algod": lambda: asyncio.gather(
                c.algod.account_assets(SMALL), c.algod.account(SMALL), c.algod.asset(31566704)
            ),
            "cardanobi": lambda: asyncio.gather(
                c.cardanobi.account_assets(cardano_data.SMALL, top=10),
                c.cardanobi.account(cardano_data.SMALL),
                c.cardanobi.asset(cardano_data.tokens()[cardano_data.SMALL][0].fingerprint),
            ),
            "calico": lambda: asyncio.gather(
                c.calico.assets("sandbox-calico-bob"), c.calico.refresh("sandbox-calico-bob")
            ),
            "mesh": lambda: c.mesh.portfolio("bob"),
        }
        await calls[source]()
    served = set((await getattr(clean, source).stats())["routes"])
    assert {endpoint for _, endpoint, _ in recorder.finished} == served
    assert {outcome for _, _, outcome in recorder.finished} == {"ok"}


@pytest.mark.parametrize("source", ["algod", "cardanobi", "calico", "mesh"])
async def test_the_request_id_reaches_the_upstream(clean: Sandboxes, source: str) -> None:
    async with clients(clean) as c:

        async def call() -> None:
            REQUEST_ID.set(f"req-{source}-42")
            calls = {
                "algod": lambda: c.algod.account(SMALL),
                "cardanobi": lambda: c.cardanobi.account(cardano_data.SMALL),
                "calico": lambda: c.calico.assets("sandbox-calico-bob"),
                "mesh": lambda: c.mesh.portfolio("bob"),
            }
            await calls[source]()

        await in_own_context(call)
    stats = await getattr(clean, source).stats()
    assert stats["last_request_id"] == f"req-{source}-42"


# -- outbound limits --------------------------------------------------------------------------


async def test_requests_queue_for_the_token_bucket_rather_than_exceed_it(
    clean: Sandboxes,
) -> None:
    limiter = TokenBucket(RatePolicy(per_second=5, burst=1))
    async with clients(clean, rate_limiter=limiter) as c:
        started = time.monotonic()
        # Twelve different reads: identical ones would share one call (the single flight).
        await asyncio.gather(*(c.algod.account_assets(SMALL, limit=n) for n in range(1, 13)))
        took = time.monotonic() - started
    assert await clean.algod.count(ACCOUNT_ASSETS, "200") == 12
    assert took >= 2.0  # 11 waits of 0.2 s after the first


async def test_no_more_requests_run_at_once_than_the_concurrency_cap(clean: Sandboxes) -> None:
    await clean.algod.faults(latency_ms=100)
    async with clients(clean, max_concurrency=2) as c:
        # Eight different reads: identical ones would share one call (the single flight).
        await asyncio.gather(*(c.algod.account_assets(SMALL, limit=n) for n in range(1, 9)))
    stats = await clean.algod.stats()
    assert stats["routes"][ACCOUNT_ASSETS] == {"200": 8}
    assert stats["max_in_flight"] == 2


async def test_a_retry_spends_a_token_of_the_rate_budget_too(clean: Sandboxes) -> None:
    # Retry wraps the rate limit, not the other way round: a retry is a request the upstream
    # counts. One token per 100 s, burst 1: the first attempt takes it, the retry finds none
    # before the deadline. Mesh, a read never shared (a shared read runs under no deadline).
    await clean.mesh.faults(status=503, count=1)
    async with clients(clean, retry=RETRY3, rate=RatePolicy(per_second=0.01, burst=1)) as c:

        async def call() -> None:
            set_deadline(5.0)
            with pytest.raises(UpstreamRateLimited) as spent:
                await c.mesh.portfolio("alice")
            assert "request budget for Mesh is spent" in spent.value.message

        await in_own_context(call)
    assert await clean.mesh.total() == 1
