"""Which failures are retried (connection errors, 429, 502, 503, 504; not 500, timeouts, other
4xx or bad bodies) and how long before: full jitter under an exponential ceiling, `Retry-After`
as given up to the cap, and no retry when the upstream asks for more than the cap."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamQuotaExceeded,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.resilience.policy import RatePolicy, RetryPolicy, SourcePolicy
from sources.resilience.retry import backoff_seconds, is_retryable, wait_before_retry
from sources.source import Source

S = Source.ALGORAND


@pytest.mark.parametrize(
    "error",
    [
        UpstreamUnavailable(S, "refused"),  # no status: no answer at all
        UpstreamUnavailable(S, "502", status=502),
        UpstreamUnavailable(S, "503", status=503),
        UpstreamUnavailable(S, "504", status=504),
        UpstreamRateLimited(S, "429", status=429),
    ],
)
def test_transient_failures_are_retried(error: UpstreamError) -> None:
    assert is_retryable(error)


@pytest.mark.parametrize(
    "error",
    [
        UpstreamUnavailable(S, "500", status=500),
        UpstreamUnavailable(S, "route missing", status=404),
        UpstreamTimeout(S, "slow"),
        UpstreamRateLimited(S, "Mesh tooManyRequest in a 200", status=200),
        UpstreamQuotaExceeded(S, "402", status=402),
        UpstreamUnauthorized(S, "401", status=401),
        UpstreamBadResponse(S, "not JSON", status=200),
        UpstreamBadResponse(S, "400", status=400),
    ],
)
def test_other_failures_are_not_retried(error: UpstreamError) -> None:
    assert not is_retryable(error)


@settings(max_examples=200, deadline=None)
@given(retry=st.integers(min_value=1, max_value=100), seed=st.integers())
def test_a_backoff_lies_between_zero_and_its_exponential_ceiling(retry: int, seed: int) -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=0.1, max_seconds=3.0)
    wait = backoff_seconds(policy, retry, random.Random(seed))
    assert 0 <= wait <= min(3.0, 0.1 * 2 ** (retry - 1))


def test_backoffs_are_jittered_not_all_equal() -> None:
    policy = RetryPolicy(base_seconds=1.0, max_seconds=10.0)
    rng = random.Random(7)
    waits = {backoff_seconds(policy, 3, rng) for _ in range(50)}
    assert len(waits) == 50
    assert max(waits) > 2.0  # the ceiling doubled twice: draws spread over [0, 4]


@pytest.mark.parametrize("retry_after", [0, 1, 5])
def test_a_retry_after_within_the_cap_is_waited_for_exactly(retry_after: int) -> None:
    policy = RetryPolicy(base_seconds=0.01, max_seconds=5.0)
    assert wait_before_retry(policy, 1, retry_after, random.Random(0)) == retry_after


def test_a_retry_after_beyond_the_cap_means_no_retry() -> None:
    policy = RetryPolicy(max_seconds=5.0)
    assert wait_before_retry(policy, 1, 6, random.Random(0)) is None


def test_without_retry_after_the_wait_is_a_backoff() -> None:
    policy = RetryPolicy(base_seconds=0.5, max_seconds=5.0)
    wait = wait_before_retry(policy, 2, None, random.Random(0))
    assert wait is not None and 0 <= wait <= 1.0


@pytest.mark.parametrize(
    "values",
    [{"max_attempts": 0}, {"base_seconds": -1.0}, {"max_seconds": -0.5}],
)
def test_a_retry_policy_refuses_impossible_values(values: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rate", "window", "wait"),
    [
        (None, 1.0, 1.0),  # no budget of our own: the upstream's per-second window
        (RatePolicy.of(1), 1.0, 1.0),  # CardanoBI's free plan
        (RatePolicy.of(20), 1.0, 1.0),  # its enterprise plan still counts per second
        (RatePolicy.of(0.25), 1.0, 4.0),  # a budget slower than the window: one slot of it
        (None, 0.0, 0.0),  # no window: the backoff decides
        (RatePolicy.of(0.25), 0.0, 0.0),
    ],
)
def test_a_429_without_retry_after_asks_for_the_window_or_one_slot_of_the_budget(
    rate: RatePolicy | None, window: float, wait: float
) -> None:
    assert SourcePolicy(rate=rate, rate_window_seconds=window).wait_after_429() == wait


def test_a_negative_rate_window_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        SourcePolicy(rate_window_seconds=-1)
