"""Mesh's settings block: the Integration API's URL and the server's client id and secret."""

from __future__ import annotations

from typing import Self

from pydantic import SecretStr, model_validator

from sources.config import SourceConfig, check_credential, flat_names, is_loopback
from sources.mesh.sandbox_credentials import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

__all__ = ["MeshConfig"]

_SANDBOX_CREDENTIALS = frozenset({SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET})


class MeshConfig(SourceConfig, alias_generator=flat_names("mesh")):
    """`MESH_*`."""

    key = "mesh"

    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None

    @model_validator(mode="after")
    def _credentials(self) -> Self:
        if self.url is None:
            return self
        if self.client_id is None or self.client_secret is None:
            raise ValueError(
                "MESH_URL is set, so MESH_CLIENT_ID and MESH_CLIENT_SECRET must be too"
            )
        local = is_loopback(self.url)
        for name, secret in (
            ("MESH_CLIENT_ID", self.client_id),
            ("MESH_CLIENT_SECRET", self.client_secret),
        ):
            check_credential(name, secret, _SANDBOX_CREDENTIALS, local, "MESH_URL is not loopback")
        return self

    @classmethod
    def sandbox_values(cls, url: str) -> dict[str, object]:
        return {
            "url": url,
            "client_id": SecretStr(SANDBOX_CLIENT_ID),
            "client_secret": SecretStr(SANDBOX_CLIENT_SECRET),
        }

    def budget_identity(self) -> str:
        # Mesh's plan counts requests by client id.
        client_id = self.client_id.get_secret_value() if self.client_id else ""
        return client_id or super().budget_identity()
