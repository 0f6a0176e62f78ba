"""CardanoBI's settings block: the API's URL, its identity server's token endpoint, the API
key and secret, the page size, the Cardano network, and the plan's rate."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator

from sources.cardanobi.sandbox_credentials import SANDBOX_API_KEY, SANDBOX_API_SECRET, TOKEN_PATH
from sources.config import SourceConfig, check_credential, flat_names, http_url, is_loopback

__all__ = ["CardanoBIConfig"]

_SANDBOX_CREDENTIALS = frozenset({SANDBOX_API_KEY, SANDBOX_API_SECRET})


class CardanoBIConfig(SourceConfig, alias_generator=flat_names("cardanobi")):
    """`CARDANOBI_*` and `CARDANO_NETWORK`."""

    key = "cardanobi"

    auth_url: str | None = None
    """The identity server's token endpoint (OAuth2 client credentials)."""
    api_key: SecretStr | None = None
    api_secret: SecretStr | None = None
    page_size: int = Field(100, ge=1, le=100)
    network: Literal["mainnet", "preprod", "preview"] = Field("mainnet", alias="cardano_network")
    # CardanoBI's plans allow 1 to 20 requests a second per key; the free plan 1, no burst.
    rate_per_second: float | None = Field(1.0, gt=0, le=1000)

    @property
    def token_url(self) -> str:
        """The token endpoint to open: the configured one, or the sandbox's."""
        if self.auth_url is None:
            raise ValueError("cardanobi has no token endpoint yet: the server puts the sandbox's")
        return self.auth_url

    @field_validator("auth_url")
    @classmethod
    def _auth_url(cls, value: str | None) -> str | None:
        return http_url(value)

    @model_validator(mode="after")
    def _credentials(self) -> Self:
        if self.url is None:
            return self
        missing = [
            name
            for name, value in (
                ("CARDANOBI_AUTH_URL", self.auth_url),
                ("CARDANOBI_API_KEY", self.api_key),
                ("CARDANOBI_API_SECRET", self.api_secret),
            )
            if value is None
        ]
        if missing:
            raise ValueError(f"CARDANOBI_URL is set, so {', '.join(missing)} must be too")
        # The credentials go to the token endpoint: both hosts must be local for the sandbox's.
        local = is_loopback(self.url) and is_loopback(self.auth_url)
        for name, secret in (
            ("CARDANOBI_API_KEY", self.api_key),
            ("CARDANOBI_API_SECRET", self.api_secret),
        ):
            assert secret is not None
            check_credential(
                name,
                secret,
                _SANDBOX_CREDENTIALS,
                local,
                "CARDANOBI_URL and CARDANOBI_AUTH_URL are not both loopback",
            )
        return self

    @classmethod
    def sandbox_values(cls, url: str) -> dict[str, object]:
        return {
            "url": url,
            "auth_url": url + TOKEN_PATH,
            "api_key": SecretStr(SANDBOX_API_KEY),
            "api_secret": SecretStr(SANDBOX_API_SECRET),
        }

    def budget_identity(self) -> str:
        # CardanoBI's plans count requests by API key.
        api_key = self.api_key.get_secret_value() if self.api_key else ""
        return api_key or super().budget_identity()
