"""The resilience settings: documented defaults, per-source values falling back to the
UPSTREAM_* ones, environment names, and bounds refused with the setting's name."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from settings import Settings
from sources.resilience.policy import (
    ARRIVAL_MARGIN,
    BreakerPolicy,
    RatePolicy,
    RetryPolicy,
    Timeouts,
)

UPSTREAMS = ("algod", "cardanobi", "calico", "mesh")


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_defaults_are_the_documented_ones() -> None:
    settings = _settings()
    assert settings.request_deadline_seconds == 20.0
    policy = settings.source_policy("algod")
    assert policy.timeouts == Timeouts(connect=3.0, total=10.0)
    assert policy.retry == RetryPolicy(max_attempts=3, base_seconds=0.2, max_seconds=5.0)
    assert policy.breaker == BreakerPolicy(failure_threshold=5, reset_seconds=30.0)
    assert policy.rate_window_seconds == 1.0
    for upstream in ("cardanobi", "calico", "mesh"):
        assert settings.source_policy(upstream).max_concurrency == 32  # type: ignore[arg-type]


def test_algod_takes_at_most_eight_calls_at_once_by_default() -> None:
    # Nodely's free tier answers 429 past 10 calls in flight per IP.
    assert _settings().source_policy("algod").max_concurrency == 8
    assert _settings(algod_max_concurrency=10).source_policy("algod").max_concurrency == 10


def test_only_cardanobi_is_rate_limited_by_default_at_its_free_plans_one_a_second() -> None:
    settings = _settings()
    free_plan = RatePolicy(1.0, 1, ARRIVAL_MARGIN)  # no burst
    assert settings.source_policy("cardanobi").rate == free_plan
    assert settings.source_policy("cardanobi").wait_after_429() == 1.0
    for upstream in ("algod", "calico", "mesh"):
        assert settings.source_policy(upstream).rate is None  # type: ignore[arg-type]


@pytest.mark.parametrize("upstream", UPSTREAMS)
def test_a_per_source_value_overrides_the_upstream_default_for_that_source_only(
    upstream: str,
) -> None:
    settings = _settings(
        upstream_timeout_seconds=8,
        upstream_connect_timeout_seconds=2,
        upstream_max_concurrency=16,
        **{
            f"{upstream}_timeout_seconds": 1.5,
            f"{upstream}_connect_timeout_seconds": 0.5,
            f"{upstream}_max_concurrency": 4,
            f"{upstream}_rate_per_second": 3,
            f"{upstream}_rate_burst": 2,
        },
    )
    for other in UPSTREAMS:
        policy = settings.source_policy(other)  # type: ignore[arg-type]
        if other == upstream:
            assert policy.timeouts == Timeouts(connect=0.5, total=1.5)
            assert (policy.max_concurrency, policy.rate) == (4, RatePolicy(3, 2, ARRIVAL_MARGIN))
        else:
            assert policy.timeouts == Timeouts(connect=2, total=8)
            # algod has a default of its own (its free tier's), which UPSTREAM_* does not move.
            assert policy.max_concurrency == (8 if other == "algod" else 16)


def test_a_rate_without_a_burst_bursts_one_seconds_worth() -> None:
    assert _settings(algod_rate_per_second=2.5).source_policy("algod").rate == RatePolicy(
        2.5, 3, ARRIVAL_MARGIN
    )


def test_the_settings_are_read_from_their_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CALICO_TIMEOUT_SECONDS", "4")
    monkeypatch.setenv("MESH_CONNECT_TIMEOUT_SECONDS", "0.25")
    monkeypatch.setenv("REQUEST_DEADLINE_SECONDS", "7")
    monkeypatch.setenv("UPSTREAM_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("UPSTREAM_RETRY_BASE_SECONDS", "0.05")
    monkeypatch.setenv("UPSTREAM_RETRY_MAX_SECONDS", "2")
    monkeypatch.setenv("BREAKER_FAILURE_THRESHOLD", "9")
    monkeypatch.setenv("BREAKER_RESET_SECONDS", "12")
    monkeypatch.setenv("CARDANOBI_RATE_PER_SECOND", "20")
    monkeypatch.setenv("CARDANOBI_RATE_BURST", "5")
    settings = _settings()
    assert settings.source_policy("calico").timeouts.total == 4
    assert settings.source_policy("mesh").timeouts.connect == 0.25
    assert settings.request_deadline_seconds == 7
    cardanobi = settings.source_policy("cardanobi")
    assert cardanobi.retry == RetryPolicy(max_attempts=5, base_seconds=0.05, max_seconds=2)
    assert cardanobi.breaker == BreakerPolicy(failure_threshold=9, reset_seconds=12)
    assert cardanobi.rate == RatePolicy(20, 5, ARRIVAL_MARGIN)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("algod_timeout_seconds", 0),
        ("mesh_timeout_seconds", 301),
        ("calico_connect_timeout_seconds", -1),
        ("cardanobi_max_concurrency", 0),
        ("request_deadline_seconds", 0),
        ("request_deadline_seconds", 601),
        ("upstream_max_attempts", 0),
        ("upstream_max_attempts", 11),
        ("upstream_retry_base_seconds", -0.1),
        ("upstream_retry_max_seconds", 61),
        ("breaker_failure_threshold", 0),
        ("breaker_reset_seconds", 0),
        ("cardanobi_rate_per_second", 0),
        ("algod_rate_per_second", -5),
        ("mesh_rate_burst", 0),
    ],
)
def test_a_value_out_of_bounds_is_refused_naming_the_setting(name: str, value: float) -> None:
    with pytest.raises(ValidationError) as refused:
        _settings(**{name: value})
    assert name in str(refused.value)
