"""algod's settings block: the node's URL and API token, and which Algorand network it serves."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from sources.algod.sandbox_credentials import SANDBOX_ALGOD_TOKEN
from sources.config import PLACEHOLDERS, SourceConfig, flat_names

__all__ = ["AlgodConfig"]


class AlgodConfig(SourceConfig, alias_generator=flat_names("algod")):
    """`ALGOD_*` and `ALGORAND_NETWORK`."""

    key = "algod"

    token: SecretStr = SecretStr("")
    """Empty for a public node, which needs none."""
    network: Literal["mainnet", "testnet", "betanet"] = Field("mainnet", alias="algorand_network")
    # Nodely's free tier takes 10 calls in flight per IP (429 beyond): 8 leaves room.
    max_concurrency: int | None = Field(8, ge=1, le=1000)

    @model_validator(mode="after")
    def _token(self) -> Self:
        token = self.token.get_secret_value().strip()
        if self.url is not None and token and token.lower() in PLACEHOLDERS:
            raise ValueError(
                "ALGOD_TOKEN is a placeholder; set the node's API token or leave it empty"
            )
        return self

    @classmethod
    def sandbox_values(cls, url: str) -> dict[str, object]:
        return {"url": url, "token": SecretStr(SANDBOX_ALGOD_TOKEN)}

    def budget_identity(self) -> str:
        # The node's token; a public node that needs none counts by its URL.
        return self.token.get_secret_value() or super().budget_identity()
