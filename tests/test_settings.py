"""Settings are read from the environment and `.env`, and validated at start-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from pydantic import ValidationError

from settings import DEV_JWT_SECRET, Settings
from sources.cardanobi.sandbox import SANDBOX_API_KEY, SANDBOX_API_SECRET
from sources.mesh.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

REAL = {"algod_url": "https://algod.example.org"}
SECRETS = {"jwt_secret": "j" * 40, "cursor_secret": "c" * 40}
CARDANOBI = {
    "cardanobi_url": "https://cardanobi.example.org:4000",
    "cardanobi_auth_url": "https://cardanobi.example.org:44010/connect/token",
    "cardanobi_api_key": "issued-cardanobi-key-0123456789",
    "cardanobi_api_secret": "issued-cardanobi-secret-0123456789",
}
MESH = {
    "mesh_url": "https://mesh.example.org",
    "mesh_client_id": "issued-mesh-client-0123456789",
    "mesh_client_secret": "issued-mesh-secret-0123456789",
}
CREDENTIALS = {  # variable: (a valid remote upstream using it, the sandbox's own value)
    "CARDANOBI_API_KEY": (CARDANOBI, SANDBOX_API_KEY),
    "CARDANOBI_API_SECRET": (CARDANOBI, SANDBOX_API_SECRET),
    "MESH_CLIENT_ID": (MESH, SANDBOX_CLIENT_ID),
    "MESH_CLIENT_SECRET": (MESH, SANDBOX_CLIENT_SECRET),
}
URL_FIELDS = ["algod_url", "cardanobi_url", "cardanobi_auth_url", "calico_url", "mesh_url"]
LOOPBACK_HOSTS = ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"]
NOT_PEM = "-----BEGIN PUBLIC KEY-----\nprivate-material\n-----END PUBLIC KEY-----"


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _flat(settings: Settings, name: str) -> Any:
    """The setting `name` (`cardanobi_auth_url`): a field of the block its prefix names."""
    key, _, field = name.partition("_")
    return getattr(getattr(settings, key), field)


def _pem(key: rsa.RSAPublicKey | ed25519.Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    return _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key())


def _loopback_sandboxes(host: str) -> dict[str, str]:
    """Both credentialed upstreams on sandboxes at `host`, as `python server.py sandbox` prints."""
    return {
        "cardanobi_url": f"http://{host}:8102",
        "cardanobi_auth_url": f"http://{host}:8102/connect/token",
        "cardanobi_api_key": SANDBOX_API_KEY,
        "cardanobi_api_secret": SANDBOX_API_SECRET,
        "mesh_url": f"http://{host}:8104",
        "mesh_client_id": SANDBOX_CLIENT_ID,
        "mesh_client_secret": SANDBOX_CLIENT_SECRET,
    }


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
    assert settings.mesh.url == "https://mesh.example.org"
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


def test_both_jwt_keys_at_once_are_refused(rsa_pem: str) -> None:
    with pytest.raises(ValidationError, match="not both"):
        _settings(jwt_secret="j" * 40, jwt_public_key=rsa_pem)


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


@pytest.mark.parametrize("value", [9, 100_001])
def test_the_portfolio_holdings_cap_is_bounded(value: int) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, portfolio_max_holdings=value)  # type: ignore[call-arg]
    assert Settings(_env_file=None).portfolio_max_holdings == 10_000  # type: ignore[call-arg]


def test_a_jwt_public_key_that_is_not_pem_is_refused() -> None:
    with pytest.raises(ValidationError, match="JWT_PUBLIC_KEY is not a PEM public key"):
        _settings(jwt_public_key=NOT_PEM)


def test_a_jwt_public_key_that_is_not_rsa_is_refused() -> None:
    ed25519_pem = _pem(ed25519.Ed25519PrivateKey.generate().public_key())
    with pytest.raises(ValidationError, match="JWT_PUBLIC_KEY is not an RSA public key"):
        _settings(jwt_public_key=ed25519_pem)


def test_an_rsa_jwt_public_key_is_accepted_in_place_of_a_jwt_secret(rsa_pem: str) -> None:
    settings = _settings(**REAL, jwt_public_key=rsa_pem, cursor_secret="c" * 40)
    assert settings.jwt_public_key == rsa_pem
    assert settings.effective_jwt_secret is None


@pytest.mark.parametrize("name", CREDENTIALS)
def test_an_empty_upstream_credential_is_refused(name: str) -> None:
    upstream, _ = CREDENTIALS[name]
    with pytest.raises(ValidationError, match=f"{name} is empty"):
        _settings(**SECRETS, **{**upstream, name.lower(): " "})


@pytest.mark.parametrize("name", CREDENTIALS)
def test_a_placeholder_upstream_credential_is_refused(name: str) -> None:
    upstream, _ = CREDENTIALS[name]
    with pytest.raises(ValidationError, match=f"{name} is a placeholder"):
        _settings(**SECRETS, **{**upstream, name.lower(): "ChangeMe"})


@pytest.mark.parametrize("name", CREDENTIALS)
def test_a_sandbox_credential_is_refused_for_a_remote_upstream(name: str) -> None:
    upstream, sandbox_value = CREDENTIALS[name]
    with pytest.raises(ValidationError, match=f"{name} is the sandbox's own credential"):
        _settings(**SECRETS, **{**upstream, name.lower(): sandbox_value})


def test_a_sandbox_cardanobi_credential_is_refused_for_a_remote_token_endpoint() -> None:
    upstream = {
        **_loopback_sandboxes("127.0.0.1"),
        "cardanobi_auth_url": CARDANOBI["cardanobi_auth_url"],
    }
    with pytest.raises(ValidationError, match="CARDANOBI_API_KEY is the sandbox's own credential"):
        _settings(**SECRETS, **upstream)


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_sandbox_credentials_are_accepted_for_sandboxes_on_loopback(host: str) -> None:
    settings = _settings(**SECRETS, **_loopback_sandboxes(host))
    assert settings.sandboxed == {"algod", "calico"}


def test_a_placeholder_algod_token_is_refused() -> None:
    with pytest.raises(ValidationError, match="ALGOD_TOKEN is a placeholder"):
        _settings(**REAL, **SECRETS, algod_token="changethis")


def test_an_empty_algod_token_is_accepted_for_a_public_node() -> None:
    settings = _settings(**REAL, **SECRETS, algod_token="")
    assert settings.algod.token.get_secret_value() == ""


def test_a_short_cursor_secret_is_refused_on_the_full_sandbox() -> None:
    with pytest.raises(ValidationError, match="CURSOR_SECRET must have at least 16"):
        _settings(cursor_secret="c" * 15)


def test_a_16_character_cursor_secret_is_enough_on_the_full_sandbox() -> None:
    assert _settings(cursor_secret="c" * 16).effective_cursor_secret == "c" * 16


@pytest.mark.parametrize("field", URL_FIELDS)
def test_an_http_url_to_a_remote_host_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match="is not loopback, so the URL must be https"):
        _settings(**SECRETS, **{field: "http://upstream.example.org"})


@pytest.mark.parametrize("field", URL_FIELDS)
def test_an_https_url_to_a_remote_host_is_accepted(field: str) -> None:
    url = "https://upstream.example.org:4000"
    values = {**CARDANOBI, **MESH, **SECRETS, field: url}
    assert _flat(_settings(**values), field) == url


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_an_http_url_to_a_loopback_host_is_accepted(host: str) -> None:
    url = f"http://{host}:8101"
    assert _settings(**SECRETS, algod_url=url).algod.url == url


@pytest.mark.parametrize(
    ("values", "secret"),
    [
        (
            {
                **REAL,
                "jwt_secret": "changethis",
                "cursor_secret": "cursor-key-of-40-chars-xxxxxxxxxxxxxxxxx",
            },
            "cursor-key-of-40-chars",
        ),
        (
            {
                **REAL,
                "jwt_secret": "jwt-key-of-40-chars-xxxxxxxxxxxxxxxxxxxx",
                "cursor_secret": "tooshort-cursor",
            },
            "tooshort-cursor",
        ),
        ({"cursor_secret": "tiny-cursor"}, "tiny-cursor"),
        ({**SECRETS, **CARDANOBI, "cardanobi_api_key": "changeme"}, "issued-cardanobi-secret"),
        ({**SECRETS, **MESH, "mesh_client_secret": SANDBOX_CLIENT_SECRET}, SANDBOX_CLIENT_SECRET),
        ({**SECRETS, **MESH, "mesh_client_id": "password"}, "issued-mesh-secret"),
        (
            {"jwt_public_key": NOT_PEM},
            "private-material",
        ),
        ({"algod_url": "http://user:hunter2@algod.example.org"}, "hunter2"),
    ],
)
def test_no_validation_message_echoes_a_secret(values: dict[str, str], secret: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _settings(**values)
    assert secret not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_query_depth", 1),
        ("max_query_aliases", -1),
        ("max_query_tokens", 99),
        ("max_query_cost", 99),
        ("max_query_selections", 99),
        ("max_query_selections", 1_000_001),
        ("max_query_overlaps", 99),
        ("max_response_fields", 999),
        ("max_upstream_calls", 9),
        ("max_upstream_calls", 1_000_001),
        ("max_request_bytes", 4095),
        ("max_response_bytes", 65535),
        ("log_format", "xml"),
    ],
)
def test_query_and_request_limits_are_bounded(name: str, value: Any) -> None:
    with pytest.raises(ValidationError, match=name):
        Settings(_env_file=None, **{name: value})  # type: ignore[call-arg]


def test_query_limits_are_read_by_their_upper_snake_names(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {
        "MAX_QUERY_DEPTH": 9,
        "MAX_QUERY_ALIASES": 7,
        "MAX_QUERY_TOKENS": 1234,
        "MAX_QUERY_COST": 4321,
        "MAX_QUERY_SELECTIONS": 2345,
        "MAX_QUERY_OVERLAPS": 3456,
        "MAX_RESPONSE_FIELDS": 45678,
        "MAX_UPSTREAM_CALLS": 567,
        "MAX_REQUEST_BYTES": 8192,
        "MAX_RESPONSE_BYTES": 98765,
    }
    for name, value in names.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("LOG_FORMAT", "text")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert {name: getattr(settings, name.lower()) for name in names} == names
    assert settings.log_format == "text"


def test_reading_the_settings_loads_no_sandbox_and_no_aiohttp_server() -> None:
    # A fresh interpreter: this one has loaded the sandboxes for other tests.
    probe = (
        "import sys, settings; print(sorted(m for m in sys.modules "
        "if m.startswith('aiohttp.web') or (m.startswith('sources.') and 'sandbox' in m)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert loaded == str(
        [
            "sources.algod.sandbox_credentials",
            "sources.cardanobi.sandbox_credentials",
            "sources.mesh.sandbox_credentials",
        ]
    )
