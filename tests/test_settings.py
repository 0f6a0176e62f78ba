"""Settings are read from the environment and `.env`, and validated at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import DEV_JWT_SECRET, Settings

REAL = {"algod_url": "https://algod.example.org"}
SECRETS = {"jwt_secret": "j" * 40, "cursor_secret": "c" * 40}


def test_with_no_upstream_configured_everything_runs_on_the_sandboxes() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.all_sandboxed
    assert settings.effective_jwt_secret == DEV_JWT_SECRET
    assert (settings.host, settings.port, settings.max_page_size) == ("127.0.0.1", 8000, 100)


def test_settings_are_read_from_a_dotenv_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "PORT=9123\nMAX_PAGE_SIZE=50\nMESH_URL=https://mesh.example.org/\n"
        "MESH_CLIENT_ID=id\nMESH_CLIENT_SECRET=s\n"
        f"JWT_SECRET={'x' * 40}\nCURSOR_SECRET={'y' * 40}\n"
    )
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.port == 9123 and settings.max_page_size == 50
    assert settings.mesh_url == "https://mesh.example.org"
    assert settings.sandboxed == {"algod", "cardanobi", "calico"}


@pytest.mark.parametrize("placeholder", ["changethis", "secret", "", DEV_JWT_SECRET])
def test_a_placeholder_jwt_secret_is_refused_with_a_real_upstream(placeholder: str) -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(_env_file=None, **REAL, jwt_secret=placeholder, cursor_secret="c" * 40)  # type: ignore[call-arg]


def test_a_short_cursor_secret_is_refused_with_a_real_upstream() -> None:
    with pytest.raises(ValidationError, match="CURSOR_SECRET must have at least 32"):
        Settings(_env_file=None, **REAL, jwt_secret="j" * 40, cursor_secret="short")  # type: ignore[call-arg]


def test_missing_secrets_are_refused_with_a_real_upstream() -> None:
    with pytest.raises(ValidationError, match="JWT_SECRET or JWT_PUBLIC_KEY"):
        Settings(_env_file=None, **REAL)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="CURSOR_SECRET must be set"):
        Settings(_env_file=None, **REAL, jwt_secret="j" * 40)  # type: ignore[call-arg]


def test_real_secrets_with_a_real_upstream_are_accepted() -> None:
    settings = Settings(_env_file=None, **REAL, **SECRETS)  # type: ignore[call-arg]
    assert settings.sandboxed == {"cardanobi", "calico", "mesh"}


def test_both_jwt_keys_at_once_are_refused() -> None:
    with pytest.raises(ValidationError, match="not both"):
        Settings(_env_file=None, jwt_secret="j" * 40, jwt_public_key="-----BEGIN PUBLIC KEY-----")  # type: ignore[call-arg]


def test_a_cardanobi_url_needs_its_credentials() -> None:
    with pytest.raises(ValidationError, match="CARDANOBI_AUTH_URL, CARDANOBI_API_KEY"):
        Settings(_env_file=None, cardanobi_url="https://cardanobi.io:4000", **SECRETS)  # type: ignore[call-arg]


def test_an_upstream_url_must_be_http() -> None:
    with pytest.raises(ValidationError, match="not an http"):
        Settings(_env_file=None, algod_url="ftp://algod.example.org", **SECRETS)  # type: ignore[call-arg]


def test_page_size_limits_are_bounded() -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, max_page_size=19)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(_env_file=None, cardanobi_page_size=101)  # type: ignore[call-arg]
