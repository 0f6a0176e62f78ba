"""Settings, read by pydantic-settings from the environment (and `.env`), validated at start-up.

Names are fixed by ARCHITECTURE.md ("Settings"); docs/configuration.md lists them all. Each
source has its own typed block (`sources.config.SourceConfig`: `settings.algod.url`), whose
fields keep their flat names (`ALGOD_URL`, `CARDANOBI_TIMEOUT_SECONDS`): the environment, a
`.env` file and keyword arguments (`Settings(algod_url=...)`) all use them. A source's block left
without a URL runs on its embedded sandbox with the sandbox's own credentials. When every
upstream is on its sandbox, development keys are used for JWTs and cursors; as soon as one real
upstream is configured, the server refuses to start with a missing or placeholder secret.

Secrets and upstream credentials only travel in clear text to loopback (each block checks its
own: `sources/config.py`). Errors never carry the input (`hide_input_in_errors`), so no message
echoes a secret. Each default is stated once: here, or where the value is used (`GraphOptions`,
`SourcePolicy`) and read from there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import Field, SecretStr, create_model, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from resolvers.options import DEFAULT_FIRST, GraphOptions
from sources.algod.config import AlgodConfig
from sources.calico.config import CalicoConfig
from sources.cardanobi.config import CardanoBIConfig
from sources.config import PLACEHOLDERS, SourceConfig
from sources.mesh.config import MeshConfig
from sources.resilience.policy import (
    DEFAULT_MAX_BODY_BYTES,
    BreakerPolicy,
    RetryPolicy,
    SourcePolicy,
    Timeouts,
)
from web.cors import DEV_ORIGIN_PATTERNS, exact_origin, origin_pattern

__all__ = ["DEV_CURSOR_SECRET", "DEV_JWT_SECRET", "Settings"]

DEV_JWT_SECRET = "sandbox-only-jwt-secret-never-use-it-with-real-upstreams"
DEV_CURSOR_SECRET = "sandbox-only-cursor-secret-never-use-it-with-real-upstreams"
_PLACEHOLDERS = PLACEHOLDERS | {DEV_JWT_SECRET, DEV_CURSOR_SECRET}
_MIN_SECRET = 32
_MIN_CURSOR_SECRET = 16
"""`CursorCodec`'s floor: below it the lifespan would fail after validation passed."""
_OPTIONS = GraphOptions()
_POLICY = SourcePolicy()
_BREAKER = BreakerPolicy()


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

    # One block per source (its variables keep their flat names: ALGOD_URL, ...).
    algod: AlgodConfig = Field(default_factory=AlgodConfig)
    cardanobi: CardanoBIConfig = Field(default_factory=CardanoBIConfig)
    calico: CalicoConfig = Field(default_factory=CalicoConfig)
    mesh: MeshConfig = Field(default_factory=MeshConfig)

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

    # At least the schema's default `first` (20), which must stay within the limit.
    max_page_size: int = Field(_OPTIONS.max_first, ge=DEFAULT_FIRST, le=1000)
    max_ids: int = Field(_OPTIONS.max_ids, ge=1, le=1000)
    portfolio_max_holdings: int = Field(_OPTIONS.portfolio_max_holdings, ge=10, le=100_000)
    # Resilience of upstream calls (docs/failure-behaviour.md): the defaults of every source,
    # which a source's own block may override (ALGOD_TIMEOUT_SECONDS, ...).
    upstream_timeout_seconds: float = Field(_POLICY.timeouts.total, gt=0, le=300)
    upstream_connect_timeout_seconds: float = Field(_POLICY.timeouts.connect, gt=0, le=60)
    upstream_max_concurrency: int = Field(_POLICY.max_concurrency, ge=1, le=1000)
    upstream_max_body_bytes: int = Field(DEFAULT_MAX_BODY_BYTES, ge=1024, le=1024**3)
    request_deadline_seconds: float = Field(_OPTIONS.request_deadline_seconds, ge=0.1, le=600)
    upstream_max_attempts: int = Field(_POLICY.retry.max_attempts, ge=1, le=10)
    upstream_retry_base_seconds: float = Field(_POLICY.retry.base_seconds, ge=0, le=10)
    upstream_retry_max_seconds: float = Field(_POLICY.retry.max_seconds, ge=0, le=60)
    breaker_failure_threshold: int = Field(_BREAKER.failure_threshold, ge=1, le=1000)
    breaker_reset_seconds: float = Field(_BREAKER.reset_seconds, gt=0, le=3600)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: `Cache-Control: public, max-age=N` on responses that read only public on-chain data.
    cache_max_age_seconds: int = Field(15, ge=0, le=86400)
    log_format: Literal["json", "text"] = "json"
    # Hostile-query limits (schema/limits.py) and the request body limit (web/middleware.py).
    max_query_depth: int = Field(_OPTIONS.max_query_depth, ge=2, le=100)
    max_query_aliases: int = Field(_OPTIONS.max_query_aliases, ge=0, le=10_000)
    max_query_tokens: int = Field(_OPTIONS.max_query_tokens, ge=100, le=100_000)
    max_query_cost: int = Field(_OPTIONS.max_query_cost, ge=100, le=10_000_000)
    max_query_selections: int = Field(_OPTIONS.max_query_selections, ge=100, le=1_000_000)
    max_query_overlaps: int = Field(_OPTIONS.max_query_overlaps, ge=100, le=10_000_000)
    max_response_fields: int = Field(_OPTIONS.max_response_fields, ge=1_000, le=100_000_000)
    # Upstream requests one GraphQL request may make, estimated before execution and held to
    # while it runs (sources/http/budget.py).
    max_upstream_calls: int = Field(_OPTIONS.max_upstream_calls, ge=10, le=1_000_000)
    # The largest response body (web/response_limit.py): a larger one is cut with a coded error.
    max_response_bytes: int = Field(32 * 1024 * 1024, ge=64 * 1024, le=1024 * 1024 * 1024)
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
    # Pages of other origins calling the graph (web/cors.py), comma-separated. Both unset: none,
    # or the local development origins when every upstream is an embedded sandbox.
    cors_allow_origins: Annotated[tuple[str, ...] | None, NoDecode] = None
    cors_allow_origin_patterns: Annotated[tuple[str, ...] | None, NoDecode] = None
    cors_allow_credentials: bool = False
    cors_max_age_seconds: int = Field(600, ge=0, le=86400)
    # Responses of this size or more are compressed (web/compression.py), brotli or gzip.
    compression: bool = True
    compression_min_bytes: int = Field(1024, ge=0, le=64 * 1024 * 1024)
    # Unset: on when every upstream is an embedded sandbox, off as soon as one is configured.
    graphql_introspection: bool | None = None
    graphiql: bool | None = None
    #: Compiled execution plans (schema/execution/); false forces graphql-core's executor.
    compiled_execution: bool = True

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The blocks' flat variables, read where the plain ones are and with the same priority.
        return (
            init_settings,
            env_settings,
            _BlockVariables(settings_cls, env_settings),
            dotenv_settings,
            _BlockVariables(settings_cls, dotenv_settings),
            file_secret_settings,
        )

    @model_validator(mode="before")
    @classmethod
    def _into_blocks(cls, data: Any) -> Any:
        """Each block's flat names (`algod_url`) gathered into its block (`algod`)."""
        if not isinstance(data, Mapping):
            return data
        values = dict(data)
        for key, config in _blocks(cls):
            names = set(config.names().values())
            flat = {name: values.pop(name) for name in list(values) if name in names}
            if not flat:
                continue
            given = values.get(key)
            if isinstance(given, SourceConfig):
                given = given.model_dump(by_alias=True, exclude_unset=True)
            values[key] = {**(given or {}), **flat}
        return values

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

    @field_validator("cors_allow_origins", "cors_allow_origin_patterns", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split(",") if item.strip())
        return value

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(exact_origin(origin) for origin in value)

    @field_validator("cors_allow_origin_patterns")
    @classmethod
    def _origin_patterns(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        for pattern in value:
            origin_pattern(pattern)
        return tuple(pattern.strip().rstrip("/").lower() for pattern in value)

    @classmethod
    def with_sources(cls, *configs: type[SourceConfig]) -> type[Settings]:
        """These settings with a block for each of `configs` too (a source registered beside
        the four, e.g. by a test), read by its flat names like theirs."""
        blocks: dict[str, Any] = {
            config.key: (config, Field(default_factory=config)) for config in configs
        }
        return cast("type[Settings]", create_model(cls.__name__, __base__=cls, **blocks))

    @classmethod
    def variable_names(cls) -> frozenset[str]:
        """The name of every variable these settings read (upper case)."""
        names = {name.upper() for name, _ in cls.model_fields.items()}
        for key, config in _blocks(cls):
            names.discard(key.upper())
            names.update(name.upper() for name in config.names().values())
        return frozenset(names)

    def sources(self) -> dict[str, SourceConfig]:
        """Every source's block, by key (`algod`)."""
        return {key: getattr(self, key) for key, _ in _blocks(type(self))}

    @property
    def sandboxed(self) -> frozenset[str]:
        """The upstreams that run on their embedded sandbox (no URL configured), by key."""
        return frozenset(key for key, config in self.sources().items() if config.sandboxed)

    @property
    def all_sandboxed(self) -> bool:
        return len(self.sandboxed) == len(self.sources())

    @property
    def effective_jwt_secret(self) -> str | None:
        """The HS256 key: the configured one, or the development key on the full sandbox."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        if self.jwt_public_key is None and self.all_sandboxed:
            return DEV_JWT_SECRET
        return None

    @property
    def effective_cors_origins(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(exact origins, patterns) allowed to call from a page: as configured; else the local
        development origins on the full sandbox, none otherwise."""
        if self.cors_allow_origins is None and self.cors_allow_origin_patterns is None:
            return (), DEV_ORIGIN_PATTERNS if self.all_sandboxed else ()
        return self.cors_allow_origins or (), self.cors_allow_origin_patterns or ()

    @property
    def effective_graphql_introspection(self) -> bool:
        chosen = self.graphql_introspection
        return self.all_sandboxed if chosen is None else chosen

    @property
    def effective_graphiql(self) -> bool:
        return self.all_sandboxed if self.graphiql is None else self.graphiql

    @property
    def effective_cursor_secret(self) -> str:
        if self.cursor_secret is not None:
            return self.cursor_secret.get_secret_value()
        return DEV_CURSOR_SECRET

    def source_policy(self, key: str) -> SourcePolicy:
        """Timeouts, retries, breaker, rate and concurrency cap of one upstream's calls: its
        block's values, else the UPSTREAM_* defaults."""
        config = self.sources()[key]
        return SourcePolicy(
            timeouts=Timeouts(
                connect=config.connect_timeout_seconds or self.upstream_connect_timeout_seconds,
                total=config.timeout_seconds or self.upstream_timeout_seconds,
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
            rate=config.rate,
            max_concurrency=config.max_concurrency or self.upstream_max_concurrency,
        )

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.jwt_secret is not None and self.jwt_public_key is not None:
            raise ValueError("set JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256), not both")
        if self.cors_allow_credentials and "*" in (self.cors_allow_origins or ()):
            raise ValueError(
                "CORS_ALLOW_CREDENTIALS=true with CORS_ALLOW_ORIGINS='*' would let every site "
                "call with the user's cookies; list the origins"
            )
        if not self.all_sandboxed:
            self._refuse_placeholders()
        elif (
            self.cursor_secret is not None
            and len(self.cursor_secret.get_secret_value()) < _MIN_CURSOR_SECRET
        ):
            raise ValueError(f"CURSOR_SECRET must have at least {_MIN_CURSOR_SECRET} characters")
        return self

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


class _BlockVariables(PydanticBaseSettingsSource):
    """The blocks' flat variables (`ALGOD_URL`) that `inner` (the environment or a `.env`
    file) holds, by their lower-case names, for `Settings._into_blocks` to gather."""

    def __init__(self, settings_cls: type[BaseSettings], inner: PydanticBaseSettingsSource):
        super().__init__(settings_cls)
        self._variables: Mapping[str, str | None] = (
            inner.env_vars if isinstance(inner, EnvSettingsSource) else {}
        )

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # every value comes from `__call__`

    def __call__(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for _, config in _blocks(self.settings_cls):
            for name in config.names().values():
                value = self._variables.get(name)
                if value is not None:
                    found[name] = value
        return found


def _blocks(settings_cls: type[BaseSettings]) -> Iterator[tuple[str, type[SourceConfig]]]:
    """The fields of `settings_cls` that are source blocks, with their block's class."""
    for key, field in settings_cls.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, SourceConfig):
            yield key, annotation


def _check_secret(name: str, secret: SecretStr) -> None:
    value = secret.get_secret_value()
    if value.strip().lower() in _PLACEHOLDERS:
        raise ValueError(f"{name} is a placeholder; set a random secret of {_MIN_SECRET}+ chars")
    if len(value) < _MIN_SECRET:
        raise ValueError(f"{name} must have at least {_MIN_SECRET} characters")
