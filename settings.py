"""Settings, read by pydantic-settings from the environment (and `.env`), validated at start-up.

Names are fixed by ARCHITECTURE.md ("Settings"); docs/configuration.md lists them all. An
upstream with no URL runs on its embedded sandbox with the sandbox's own credentials. When every
upstream is on its sandbox, development keys are used for JWTs and cursors; as soon as one real
upstream is configured, the server refuses to start with a missing or placeholder secret.

Secrets and upstream credentials only travel in clear text to loopback: a remote upstream URL must
be `https`, and a sandbox's own credentials are accepted only for a loopback URL (where
`python server.py sandbox` serves). Errors never carry the input (`hide_input_in_errors`), so no
message echoes a secret.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sources.cardanobi import sandbox as cardanobi_sandbox
from sources.mesh import sandbox as mesh_sandbox
from sources.resilience.policy import (
    BreakerPolicy,
    RatePolicy,
    RetryPolicy,
    SourcePolicy,
    Timeouts,
)

__all__ = ["DEV_CURSOR_SECRET", "DEV_JWT_SECRET", "Settings", "Upstream"]

DEV_JWT_SECRET = "sandbox-only-jwt-secret-never-use-it-with-real-upstreams"
DEV_CURSOR_SECRET = "sandbox-only-cursor-secret-never-use-it-with-real-upstreams"
_PLACEHOLDERS = {
    "",
    "changethis",
    "changeme",
    "change-me",
    "secret",
    "placeholder",
    "password",
    "xxx",
    DEV_JWT_SECRET,
    DEV_CURSOR_SECRET,
}
_MIN_SECRET = 32
_MIN_CURSOR_SECRET = 16
"""`CursorCodec`'s floor: below it the lifespan would fail after validation passed."""
_CARDANOBI_SANDBOX_CREDENTIALS = {
    cardanobi_sandbox.SANDBOX_API_KEY,
    cardanobi_sandbox.SANDBOX_API_SECRET,
}
_MESH_SANDBOX_CREDENTIALS = {mesh_sandbox.SANDBOX_CLIENT_ID, mesh_sandbox.SANDBOX_CLIENT_SECRET}

Upstream = Literal["algod", "cardanobi", "calico", "mesh"]


class Settings(BaseSettings):
    """Every setting of the server; see docs/configuration.md."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        # pydantic would otherwise print the raw input (every secret) in `str(ValidationError)`.
        hide_input_in_errors=True,
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    #: Server processes sharing the port (`--workers`); more than one needs every upstream's URL.
    workers: int = Field(1, ge=1, le=64)

    algod_url: str | None = None
    algod_token: SecretStr = SecretStr("")
    cardanobi_url: str | None = None
    cardanobi_auth_url: str | None = None
    cardanobi_api_key: SecretStr | None = None
    cardanobi_api_secret: SecretStr | None = None
    calico_url: str | None = None
    mesh_url: str | None = None
    mesh_client_id: SecretStr | None = None
    mesh_client_secret: SecretStr | None = None

    jwt_secret: SecretStr | None = None
    jwt_public_key: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    cursor_secret: SecretStr | None = None
    redis_url: str | None = None
    # Live subscriptions (docs/subscriptions.md): how often each source is read for its
    # subscribers (algod about once a round), the Redis lease that elects one poller per account
    # among replicas, and what one connection, one user and this process may hold.
    live_algod_poll_seconds: float = Field(3.0, ge=0.05, le=3600)
    live_cardanobi_poll_seconds: float = Field(20.0, ge=0.05, le=3600)
    live_calico_poll_seconds: float = Field(30.0, ge=0.05, le=3600)
    live_mesh_poll_seconds: float = Field(30.0, ge=0.05, le=3600)
    live_lease_seconds: float = Field(5.0, ge=0.2, le=600)
    live_max_subscriptions_per_connection: int = Field(20, ge=1, le=1000)
    live_max_subscriptions_per_user: int = Field(50, ge=1, le=100_000)
    live_max_subscriptions: int = Field(10_000, ge=1, le=1_000_000)
    live_queue_events: int = Field(16, ge=1, le=10_000)
    live_heartbeat_seconds: float = Field(15.0, ge=0.05, le=600)

    # At least 20: the schema's default `first` must stay within the limit.
    max_page_size: int = Field(100, ge=20, le=1000)
    max_ids: int = Field(100, ge=1, le=1000)
    algorand_network: Literal["mainnet", "testnet", "betanet"] = "mainnet"
    cardano_network: Literal["mainnet", "preprod", "preview"] = "mainnet"
    cardanobi_page_size: int = Field(100, ge=1, le=100)
    calico_page_size: int = Field(100, ge=1, le=100)
    portfolio_max_holdings: int = Field(10_000, ge=10, le=100_000)
    upstream_timeout_seconds: float = Field(10.0, gt=0, le=300)
    upstream_connect_timeout_seconds: float = Field(3.0, gt=0, le=60)
    upstream_max_concurrency: int = Field(32, ge=1, le=1000)
    upstream_max_body_bytes: int = Field(16 * 1024 * 1024, ge=1024, le=1024**3)
    # Resilience of upstream calls (docs/failure-behaviour.md). Per-source values left unset
    # take the UPSTREAM_* default.
    algod_timeout_seconds: float | None = Field(None, gt=0, le=300)
    cardanobi_timeout_seconds: float | None = Field(None, gt=0, le=300)
    calico_timeout_seconds: float | None = Field(None, gt=0, le=300)
    mesh_timeout_seconds: float | None = Field(None, gt=0, le=300)
    algod_connect_timeout_seconds: float | None = Field(None, gt=0, le=60)
    cardanobi_connect_timeout_seconds: float | None = Field(None, gt=0, le=60)
    calico_connect_timeout_seconds: float | None = Field(None, gt=0, le=60)
    mesh_connect_timeout_seconds: float | None = Field(None, gt=0, le=60)
    algod_max_concurrency: int | None = Field(None, ge=1, le=1000)
    cardanobi_max_concurrency: int | None = Field(None, ge=1, le=1000)
    calico_max_concurrency: int | None = Field(None, ge=1, le=1000)
    mesh_max_concurrency: int | None = Field(None, ge=1, le=1000)
    request_deadline_seconds: float = Field(20.0, ge=0.1, le=600)
    upstream_max_attempts: int = Field(3, ge=1, le=10)
    upstream_retry_base_seconds: float = Field(0.2, ge=0, le=10)
    upstream_retry_max_seconds: float = Field(5.0, ge=0, le=60)
    breaker_failure_threshold: int = Field(5, ge=1, le=1000)
    breaker_reset_seconds: float = Field(30.0, gt=0, le=3600)
    # CardanoBI's plans allow 1 to 20 requests a second per key; the others are unlimited unless
    # set. A burst left unset is one second's worth.
    cardanobi_rate_per_second: float = Field(10.0, gt=0, le=1000)
    algod_rate_per_second: float | None = Field(None, gt=0, le=10000)
    calico_rate_per_second: float | None = Field(None, gt=0, le=10000)
    mesh_rate_per_second: float | None = Field(None, gt=0, le=10000)
    algod_rate_burst: int | None = Field(None, ge=1, le=10000)
    cardanobi_rate_burst: int | None = Field(None, ge=1, le=10000)
    calico_rate_burst: int | None = Field(None, ge=1, le=10000)
    mesh_rate_burst: int | None = Field(None, ge=1, le=10000)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: `Cache-Control: public, max-age=N` on responses that read only public on-chain data.
    cache_max_age_seconds: int = Field(15, ge=0, le=86400)
    log_format: Literal["json", "text"] = "json"
    # Hostile-query limits (schema/limits.py) and the request body limit (web/middleware.py).
    max_query_depth: int = Field(15, ge=2, le=100)
    max_query_aliases: int = Field(256, ge=0, le=10_000)
    max_query_tokens: int = Field(5000, ge=100, le=100_000)
    max_query_cost: int = Field(100_000, ge=100, le=10_000_000)
    max_query_selections: int = Field(10_000, ge=100, le=1_000_000)
    max_query_overlaps: int = Field(50_000, ge=100, le=10_000_000)
    max_response_fields: int = Field(300_000, ge=1_000, le=100_000_000)
    # Upstream requests one GraphQL request may make, estimated before execution.
    max_upstream_calls: int = Field(1_000, ge=10, le=1_000_000)
    max_request_bytes: int = Field(1024 * 1024, ge=4096, le=64 * 1024 * 1024)
    # The shared cache of public on-chain reads (docs/caching.md): 0 s turns it off (concurrent
    # identical reads still share one call). In Redis when REDIS_URL is set, else in process.
    public_cache_ttl_seconds: float = Field(5.0, ge=0, le=3600)
    public_cache_max_entries: int = Field(10_000, ge=1, le=10_000_000)
    public_cache_max_bytes: int = Field(64 * 1024 * 1024, ge=64 * 1024, le=16 * 1024**3)
    # HTTP limits at the edge (web/edge.py): what one connection may cost before the app runs.
    max_header_bytes: int = Field(32 * 1024, ge=4096, le=1024 * 1024)
    max_header_count: int = Field(100, ge=16, le=10_000)
    header_timeout_seconds: float = Field(10.0, gt=0, le=600)
    body_timeout_seconds: float = Field(30.0, gt=0, le=3600)
    write_timeout_seconds: float = Field(30.0, gt=0, le=3600)
    keep_alive_timeout_seconds: int = Field(5, ge=1, le=600)
    #: Connections per process; lowered at start-up to what the descriptor limit can hold.
    max_connections: int = Field(1000, ge=8, le=1_000_000)
    # Requests a caller (a user, or an address when anonymous) may make: a token bucket per
    # caller, shared through Redis when REDIS_URL is set. 0 turns the limit off.
    caller_rate_per_second: float = Field(50.0, ge=0, le=100_000)
    caller_rate_burst: int | None = Field(None, ge=1, le=1_000_000)
    # Persisted queries (web/persisted.py): Apollo's automatic persisted queries, stored in
    # process (an LRU of these bounds) or in Redis with REDIS_URL; 0 entries turns them off.
    # TRUSTED_DOCUMENTS names a manifest (web/trusted_documents.py): only its operations run.
    persisted_queries_max_entries: int = Field(10_000, ge=0, le=10_000_000)
    persisted_queries_max_bytes: int = Field(16 * 1024 * 1024, ge=64 * 1024, le=16 * 1024**3)
    persisted_queries_ttl_seconds: float = Field(86_400.0, gt=0, le=30 * 86_400)
    trusted_documents: Path | None = None
    # Operation batching (web/batching.py): most operations in one batch; 0 turns it off.
    batch_max_operations: int = Field(10, ge=0, le=100)

    @field_validator("algod_url", "cardanobi_url", "cardanobi_auth_url", "calico_url", "mesh_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL")
        if parts.scheme == "http" and not _is_loopback(value):
            # Name the host only: a URL may carry user:password.
            raise ValueError(
                f"http://{parts.hostname} is not loopback, so the URL must be https "
                "(http is allowed only for 127.0.0.0/8, ::1 and localhost)"
            )
        return value.strip().rstrip("/")

    @field_validator("jwt_public_key", "jwt_audience", "jwt_issuer", "redis_url")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    @field_validator("trusted_documents", mode="before")
    @classmethod
    def _blank_path_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("jwt_public_key")
    @classmethod
    def _rsa_public_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            key = serialization.load_pem_public_key(value.strip().encode("utf-8"))
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise ValueError(
                "JWT_PUBLIC_KEY is not a PEM public key; set the RS256 public key "
                "(-----BEGIN PUBLIC KEY-----...)"
            ) from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError(
                "JWT_PUBLIC_KEY is not an RSA public key; RS256 needs one "
                "(or use JWT_SECRET for HS256)"
            )
        return value

    @property
    def sandboxed(self) -> frozenset[Upstream]:
        """The upstreams that run on their embedded sandbox (no URL configured)."""
        urls: dict[Upstream, str | None] = {
            "algod": self.algod_url,
            "cardanobi": self.cardanobi_url,
            "calico": self.calico_url,
            "mesh": self.mesh_url,
        }
        return frozenset(name for name, url in urls.items() if url is None)

    @property
    def all_sandboxed(self) -> bool:
        return len(self.sandboxed) == 4

    @property
    def effective_jwt_secret(self) -> str | None:
        """The HS256 key: the configured one, or the development key on the full sandbox."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.jwt_public_key is None and self.all_sandboxed:
            return DEV_JWT_SECRET
        return None

    @property
    def effective_cursor_secret(self) -> str:
        if self.cursor_secret is not None:
            return self.cursor_secret.get_secret_value()
        return DEV_CURSOR_SECRET

    def source_policy(self, upstream: Upstream) -> SourcePolicy:
        """Timeouts, retries, breaker, rate and concurrency cap of one upstream's calls."""
        timeout: float | None = getattr(self, f"{upstream}_timeout_seconds")
        connect: float | None = getattr(self, f"{upstream}_connect_timeout_seconds")
        concurrency: int | None = getattr(self, f"{upstream}_max_concurrency")
        per_second: float | None = getattr(self, f"{upstream}_rate_per_second")
        burst: int | None = getattr(self, f"{upstream}_rate_burst")
        return SourcePolicy(
            timeouts=Timeouts(
                connect=connect or self.upstream_connect_timeout_seconds,
                total=timeout or self.upstream_timeout_seconds,
            ),
            retry=RetryPolicy(
                max_attempts=self.upstream_max_attempts,
                base_seconds=self.upstream_retry_base_seconds,
                max_seconds=self.upstream_retry_max_seconds,
            ),
            breaker=BreakerPolicy(
                failure_threshold=self.breaker_failure_threshold,
                reset_seconds=self.breaker_reset_seconds,
            ),
            rate=RatePolicy.of(per_second, burst) if per_second is not None else None,
            max_concurrency=concurrency or self.upstream_max_concurrency,
        )

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.jwt_secret is not None and self.jwt_public_key is not None:
            raise ValueError("set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256), not both")
        if self.cardanobi_url is not None:
            missing = [
                name
                for name, value in (
                    ("CARDANOBI_AUTH_URL", self.cardanobi_auth_url),
                    ("CARDANOBI_API_KEY", self.cardanobi_api_key),
                    ("CARDANOBI_API_SECRET", self.cardanobi_api_secret),
                )
                if value is None
            ]
            if missing:
                raise ValueError(f"CARDANOBI_URL is set, so {', '.join(missing)} must be too")
        if self.mesh_url is not None and (
            self.mesh_client_id is None or self.mesh_client_secret is None
        ):
            raise ValueError(
                "MESH_URL is set, so MESH_CLIENT_ID and MESH_CLIENT_SECRET must be too"
            )
        self._check_upstream_credentials()
        if not self.all_sandboxed:
            self._refuse_placeholders()
        elif (
            self.cursor_secret is not None
            and len(self.cursor_secret.get_secret_value()) < _MIN_CURSOR_SECRET
        ):
            raise ValueError(f"CURSOR_SECRET must have at least {_MIN_CURSOR_SECRET} characters")
        return self

    def _check_upstream_credentials(self) -> None:
        if self.algod_url is not None:
            token = self.algod_token.get_secret_value().strip()
            # Empty is fine: public nodes need no token.
            if token and token.lower() in _PLACEHOLDERS:
                raise ValueError(
                    "ALGOD_TOKEN is a placeholder; set the node's API token or leave it empty"
                )
        if (
            self.cardanobi_url is not None
            and self.cardanobi_api_key is not None
            and self.cardanobi_api_secret is not None
        ):
            # The credentials go to the token endpoint: both hosts must be local for the sandbox's.
            local = _is_loopback(self.cardanobi_url) and _is_loopback(self.cardanobi_auth_url)
            for name, secret in (
                ("CARDANOBI_API_KEY", self.cardanobi_api_key),
                ("CARDANOBI_API_SECRET", self.cardanobi_api_secret),
            ):
                _check_credential(
                    name,
                    secret,
                    _CARDANOBI_SANDBOX_CREDENTIALS,
                    local,
                    "CARDANOBI_URL and CARDANOBI_AUTH_URL are not both loopback",
                )
        if (
            self.mesh_url is not None
            and self.mesh_client_id is not None
            and self.mesh_client_secret is not None
        ):
            local = _is_loopback(self.mesh_url)
            for name, secret in (
                ("MESH_CLIENT_ID", self.mesh_client_id),
                ("MESH_CLIENT_SECRET", self.mesh_client_secret),
            ):
                _check_credential(
                    name, secret, _MESH_SANDBOX_CREDENTIALS, local, "MESH_URL is not loopback"
                )

    def _refuse_placeholders(self) -> None:
        if self.jwt_secret is None and self.jwt_public_key is None:
            raise ValueError(
                "a real upstream is configured, so JWT_SECRET or JWT_PUBLIC_KEY must be set"
            )
        if self.jwt_secret is not None:
            _check_secret("JWT_SECRET", self.jwt_secret)
        if self.cursor_secret is None:
            raise ValueError("a real upstream is configured, so CURSOR_SECRET must be set")
        _check_secret("CURSOR_SECRET", self.cursor_secret)


def _check_secret(name: str, secret: SecretStr) -> None:
    value = secret.get_secret_value()
    if value.strip().lower() in _PLACEHOLDERS:
        raise ValueError(f"{name} is a placeholder; set a random secret of {_MIN_SECRET}+ chars")
    if len(value) < _MIN_SECRET:
        raise ValueError(f"{name} must have at least {_MIN_SECRET} characters")


def _check_credential(
    name: str, secret: SecretStr, sandbox: set[str], local: bool, remote: str
) -> None:
    value = secret.get_secret_value().strip()
    if not value:
        raise ValueError(f"{name} is empty; set the credential the upstream issued")
    if value.lower() in _PLACEHOLDERS:
        raise ValueError(f"{name} is a placeholder; set the credential the upstream issued")
    if value in sandbox and not local:
        raise ValueError(
            f"{name} is the sandbox's own credential, but {remote}; "
            "set the credential the upstream issued"
        )


def _is_loopback(url: str | None) -> bool:
    """Whether `url`'s host is 127.0.0.0/8, ::1 or localhost."""
    host = urlsplit(url.strip()).hostname if url else None
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
