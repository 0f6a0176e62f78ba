"""The public cache's settings: documented defaults, environment names, bounds refused by name."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from settings import Settings


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_defaults_are_the_documented_ones() -> None:
    settings = _settings()
    assert settings.public_cache_ttl_seconds == 5.0
    assert settings.public_cache_max_entries == 10_000
    assert settings.public_cache_max_bytes == 64 * 1024 * 1024
    assert settings.redis_url is None


def test_the_settings_are_read_from_their_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PUBLIC_CACHE_TTL_SECONDS", "0")
    monkeypatch.setenv("PUBLIC_CACHE_MAX_ENTRIES", "50")
    monkeypatch.setenv("PUBLIC_CACHE_MAX_BYTES", "1048576")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = _settings()
    assert settings.public_cache_ttl_seconds == 0
    assert settings.public_cache_max_entries == 50
    assert settings.public_cache_max_bytes == 1024 * 1024
    assert settings.redis_url == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("public_cache_ttl_seconds", -1),
        ("public_cache_ttl_seconds", 3601),
        ("public_cache_max_entries", 0),
        ("public_cache_max_bytes", 1024),
        ("public_cache_max_bytes", 17 * 1024**3),
    ],
)
def test_out_of_bounds_values_are_refused_naming_the_setting(name: str, value: float) -> None:
    with pytest.raises(ValidationError) as refused:
        _settings(**{name: value})
    assert name in str(refused.value)
