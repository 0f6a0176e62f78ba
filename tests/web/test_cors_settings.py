"""The CORS settings: exact origins and patterns as written in the environment, refused when they
are not origins, and the defaults by deployment (web/cors.py, settings.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from server import cors_policy
from settings import Settings
from web.cors import DEV_ORIGIN_PATTERNS, CorsPolicy, exact_origin, origin_pattern

CONFIGURED = {
    "algod_url": "https://algod.example.org",
    "jwt_secret": "j" * 40,
    "cursor_secret": "c" * 40,
}


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def matches(pattern: str, origin: str) -> bool:
    return re.fullmatch(origin_pattern(pattern), origin) is not None


@pytest.mark.parametrize(
    ("pattern", "origin"),
    [
        ("https://*.example.com", "https://app.example.com"),
        ("https://*.example.com", "https://pr-42.example.com"),
        ("http://localhost:*", "http://localhost:5173"),
        ("http://localhost:*", "http://localhost"),
        ("http://127.0.0.1:*", "http://127.0.0.1:65535"),
        ("http://[::1]:*", "http://[::1]:3000"),
        ("https://*.example.com:*", "https://app.example.com:8443"),
        ("https://app.example.com:8443", "https://app.example.com:8443"),
    ],
)
def test_a_pattern_matches_the_origins_it_names(pattern: str, origin: str) -> None:
    assert matches(pattern, origin)


@pytest.mark.parametrize(
    ("pattern", "origin"),
    [
        ("https://*.example.com", "https://example.com"),
        ("https://*.example.com", "https://a.b.example.com"),  # one label, not several
        ("https://*.example.com", "https://evilexample.com"),
        ("https://*.example.com", "https://app.example.com.evil.net"),
        ("https://*.example.com", "http://app.example.com"),
        ("https://*.example.com", "https://app.example.com:8443"),
        ("http://localhost:*", "http://localhost.evil.net"),
        ("http://localhost:*", "http://localhost:5173.evil.net"),
        ("http://localhost:*", "https://localhost:5173"),
        ("http://127.0.0.1:*", "http://127.0.0.10:80"),
    ],
)
def test_a_pattern_matches_nothing_else(pattern: str, origin: str) -> None:
    assert not matches(pattern, origin)


@pytest.mark.parametrize(
    ("written", "origin"),
    [
        ("https://App.Example.com/", "https://app.example.com"),
        ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
        ("http://[::1]:3000", "http://[::1]:3000"),
        ("*", "*"),
    ],
)
def test_an_exact_origin_is_written_as_browsers_send_it(written: str, origin: str) -> None:
    assert exact_origin(written) == origin


@pytest.mark.parametrize(
    ("written", "says"),
    [
        ("app.example.com", "not an origin"),
        ("ftp://app.example.com", "not an origin"),
        ("https://app.example.com/path", "no path"),
        ("https://user@app.example.com", "no path, query or user"),
        ("null", "not an origin"),
        ("https://*.example.com", "CORS_ALLOW_ORIGIN_PATTERNS"),
        ("https://app.example.com:99999", "port"),
        ("https://app_example.com", "host"),
    ],
)
def test_what_is_not_an_origin_is_refused_with_the_reason(written: str, says: str) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        exact_origin(written)


@pytest.mark.parametrize(
    "pattern", ["https://*.com", "https://*", "https://app.*.com", "https://*.*.example.com"]
)
def test_a_pattern_too_wide_or_malformed_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        origin_pattern(pattern)


def test_origins_come_from_the_environment_comma_separated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://app.example.com, http://127.0.0.1:5173")
    monkeypatch.setenv("CORS_ALLOW_ORIGIN_PATTERNS", "https://*.preview.example.com")
    settings = _settings(**CONFIGURED)
    assert settings.effective_cors_origins == (
        ("https://app.example.com", "http://127.0.0.1:5173"),
        ("https://*.preview.example.com",),
    )


def test_a_bad_origin_in_the_environment_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGIN_PATTERNS", "https://*.com")
    with pytest.raises(ValidationError, match="two labels"):
        _settings(**CONFIGURED)


def test_a_configured_deployment_allows_no_origin_by_default() -> None:
    assert _settings(**CONFIGURED).effective_cors_origins == ((), ())


def test_the_embedded_sandboxes_allow_the_local_development_origins() -> None:
    assert _settings().effective_cors_origins == ((), DEV_ORIGIN_PATTERNS)


def test_configured_origins_replace_the_development_ones() -> None:
    settings = _settings(cors_allow_origins="https://app.example.com")
    assert settings.effective_cors_origins == (("https://app.example.com",), ())
    assert _settings(cors_allow_origins="").effective_cors_origins == ((), ())


def test_credentials_for_every_origin_are_refused() -> None:
    with pytest.raises(ValidationError, match="list the origins"):
        _settings(cors_allow_origins="*", cors_allow_credentials=True)
    with pytest.raises(ValueError, match="list the origins"):
        CorsPolicy(origins=("*",), credentials=True)


def test_the_policy_carries_credentials_and_max_age_from_the_settings() -> None:
    policy = cors_policy(_settings(cors_allow_credentials=True, cors_max_age_seconds=60))
    assert policy.credentials and policy.max_age_seconds == 60
