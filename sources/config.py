"""A source's settings block: what the server is configured with for one upstream.

Each source package has one `SourceConfig` subclass (`sources/algod/config.py`, ...): the
upstream's URL and credentials, its own options, and the resilience values that override the
`UPSTREAM_*` defaults for it alone. `settings.py` holds one block per source and reads each
field from the environment by its flat name: the block's `key`, `_` and the field's name
(`ALGOD_URL`, `CARDANOBI_TIMEOUT_SECONDS`), or the field's own alias (`ALGORAND_NETWORK`).

A block also says what it becomes when its upstream runs on the embedded sandbox
(`sandbox_values`) and what the upstream's plan counts requests by (`budget_identity`). Secrets
and upstream credentials travel in clear text only to loopback: a remote URL must be `https`,
and a sandbox's own credentials are accepted only for a loopback URL. Messages never carry a
secret.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Collection
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from sources.resilience.policy import RatePolicy

__all__ = [
    "PLACEHOLDERS",
    "SourceConfig",
    "check_credential",
    "flat_names",
    "http_url",
    "is_loopback",
]

PLACEHOLDERS = frozenset(
    {"", "changethis", "changeme", "change-me", "secret", "placeholder", "password", "xxx"}
)
"""Values that stand for "not set yet", compared case-insensitively."""


class SourceConfig(BaseModel):
    """The settings of one source; subclasses add theirs and set `key` (and the aliases)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        # pydantic would otherwise print the raw input (every secret) in `str(ValidationError)`.
        hide_input_in_errors=True,
    )

    key: ClassVar[str]
    """The block's name: its field in the settings, its sandbox's name, its variables'
    prefix (`algod`: `ALGOD_URL`)."""

    url: str | None = None
    """The upstream's base URL; None: its embedded sandbox."""
    timeout_seconds: float | None = Field(None, gt=0, le=300)
    connect_timeout_seconds: float | None = Field(None, gt=0, le=60)
    max_concurrency: int | None = Field(None, ge=1, le=1000)
    rate_per_second: float | None = Field(None, gt=0, le=10000)
    rate_burst: int | None = Field(None, ge=1, le=10000)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Every field is read, and refused, by its flat name: the class must say so
        # (`class AlgodConfig(SourceConfig, alias_generator=flat_names("algod"))`).
        if cls.model_fields["url"].alias != f"{cls.key}_url":
            raise TypeError(f"{cls.__name__} must name its fields with flat_names({cls.key!r})")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return http_url(value)

    @classmethod
    def names(cls) -> dict[str, str]:
        """Field name -> its flat setting name (lower case, as the settings take it)."""
        return {
            name: field.alias or f"{cls.key}_{name}" for name, field in cls.model_fields.items()
        }

    @property
    def sandboxed(self) -> bool:
        """Whether the upstream runs on its embedded sandbox (no URL configured)."""
        return self.url is None

    @property
    def base_url(self) -> str:
        """The URL to open: the configured one, or its sandbox's (`on_sandbox`)."""
        if self.url is None:
            raise ValueError(f"{self.key} has no URL yet: the server puts its sandbox's in first")
        return self.url

    @property
    def rate(self) -> RatePolicy | None:
        """The upstream's rate budget; None: unlimited."""
        if self.rate_per_second is None:
            return None
        return RatePolicy.of(self.rate_per_second, self.rate_burst)

    @classmethod
    def sandbox_values(cls, url: str) -> dict[str, object]:
        """The fields that point this source at its sandbox serving at `url` (by field name):
        the URL, and the sandbox's own credentials."""
        return {"url": url}

    def on_sandbox(self, url: str) -> Self:
        """This block with its upstream on the sandbox at `url`."""
        return self.model_copy(update=self.sandbox_values(url))

    def budget_identity(self) -> str:
        """What the upstream's plan counts requests by (its credential; the URL when it has
        none). Only its hash reaches Redis."""
        return self.url or ""

    def environment(self, fields: Collection[str]) -> dict[str, str]:
        """`fields` of this block as KEY=VALUE settings (secrets revealed: for the sandbox
        command, which prints what points a server at its sandboxes)."""
        names = self.names()
        values: dict[str, str] = {}
        for name in fields:
            value = getattr(self, name)
            text = value.get_secret_value() if isinstance(value, SecretStr) else value
            values[names[name].upper()] = "" if text is None else str(text)
        return values


def flat_names(key: str) -> Callable[[str], str]:
    """The alias generator of the block `key`: a field's flat setting name."""
    return lambda name: f"{key}_{name}"


def http_url(value: str | None) -> str | None:
    """`value` as an upstream base URL (no trailing slash), None when blank; `ValueError` for
    a URL that is not http(s), or http to a host that is not loopback."""
    if value is None or not value.strip():
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(value):
        # Name the host only: a URL may carry user:password.
        raise ValueError(
            f"http://{parts.hostname} is not loopback, so the URL must be https "
            "(http is allowed only for 127.0.0.0/8, ::1 and localhost)"
        )
    return value.strip().rstrip("/")


def check_credential(
    name: str, secret: SecretStr, sandbox: Collection[str], local: bool, remote: str
) -> None:
    """Refuse an empty or placeholder credential, or the sandbox's own one sent to a remote
    host (`remote` says why the host is remote); `name` is the setting's name."""
    value = secret.get_secret_value().strip()
    if not value:
        raise ValueError(f"{name} is empty; set the credential the upstream issued")
    if value.lower() in PLACEHOLDERS:
        raise ValueError(f"{name} is a placeholder; set the credential the upstream issued")
    if value in sandbox and not local:
        raise ValueError(
            f"{name} is the sandbox's own credential, but {remote}; "
            "set the credential the upstream issued"
        )


def is_loopback(url: str | None) -> bool:
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
