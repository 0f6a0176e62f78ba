"""Helpers shared by the CardanoBI tests: the sandbox's control API, raw requests, and a page walk.

Raw requests go through `HttpUpstream.request` accepting every status, so the tests see exactly
what the sandbox answers (status, headers, body) without importing aiohttp.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.records import AccountAsset
from sources.cardanobi.sandbox import SANDBOX_API_KEY, SANDBOX_API_SECRET, TOKEN_PATH
from sources.http import HttpUpstream, UpstreamResponse
from tests.sandbox_control import SandboxControl

__all__ = ["ANY_STATUS", "Control", "walk"]

ANY_STATUS = range(100, 600)


@dataclass
class Control(SandboxControl):
    """The sandbox's `/_sandbox/` API, and raw upstream requests over one HttpUpstream."""

    upstream: HttpUpstream | None = None

    async def token_settings(self, **settings: Any) -> dict[str, Any]:
        return await self.control("token", settings)

    async def count(self, route: str, status: str | None = "200") -> int:
        """How many requests of `route` (e.g. "POST /connect/token") got `status`."""
        return await super().count(route, status)

    async def raw(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | bytes | None = None,
    ) -> UpstreamResponse:
        assert self.upstream is not None
        return await self.upstream.request(
            method, path, headers=headers, params=params, data=data, accept=ANY_STATUS
        )

    async def new_token(self) -> str:
        """A token issued to the sandbox client (Basic auth, as the SDKs ask)."""
        response = await self.raw(
            "POST",
            TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": SANDBOX_API_KEY,
                "client_secret": SANDBOX_API_SECRET,
            },
        )
        assert response.status == 200, response.body
        token: str = response.json()["access_token"]
        return token

    async def api(
        self, path: str, *, token: str | None = None, params: Mapping[str, str] | None = None
    ) -> UpstreamResponse:
        """GET an API path with the key and a (fresh, unless given) bearer token."""
        bearer = token if token is not None else await self.new_token()
        return await self.raw(
            "GET",
            path,
            headers={"Authorization": f"Bearer {bearer}", "Client-Api-Key": SANDBOX_API_KEY},
            params=params,
        )


async def walk(client: CardanoBIClient, stake_address: str, *, top: int) -> list[AccountAsset]:
    """Every token of `stake_address`, `$skip` after `$skip`, until a short answer (the
    sandbox must have OData on)."""
    found: list[AccountAsset] = []
    for _ in range(1000):
        page = await client.account_assets(stake_address, skip=len(found), top=top)
        assert page.served <= top, "the sandbox ignored $top: is its odata setting on?"
        found.extend(page.assets)
        if page.served < top:
            return found
    raise AssertionError("the walk never ended")
