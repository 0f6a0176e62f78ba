"""Raw HTTP to a sandbox node and its `/_sandbox/` control API, for tests that check the wire."""

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN

AUTH = {"X-Algo-API-Token": SANDBOX_ALGOD_TOKEN}


@dataclass(frozen=True, slots=True)
class RawAnswer:
    status: int
    content_type: str
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass(frozen=True, slots=True)
class RawNode:
    session: aiohttp.ClientSession
    url: str

    async def get(
        self,
        path: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> RawAnswer:
        """GET `path`, with the sandbox token unless `headers` says otherwise."""
        async with self.session.get(
            self.url + path, params=params, headers=AUTH if headers is None else headers
        ) as response:
            return RawAnswer(
                response.status,
                response.content_type,
                await response.text(),
                dict(response.headers),
            )

    async def post(self, path: str) -> RawAnswer:
        async with self.session.post(self.url + path, headers=AUTH) as response:
            return RawAnswer(response.status, response.content_type, await response.text(), {})

    async def stats(self) -> dict[str, Any]:
        async with self.session.get(self.url + "/_sandbox/stats") as response:
            result: dict[str, Any] = await response.json()
            return result

    async def route_counts(self, route: str) -> dict[str, int]:
        routes: dict[str, dict[str, int]] = (await self.stats())["routes"]
        return routes.get(route, {})

    async def reset(self) -> None:
        async with self.session.post(self.url + "/_sandbox/reset") as response:
            assert response.status == 200

    async def faults(self, **faults: Any) -> None:
        async with self.session.post(self.url + "/_sandbox/faults", json=faults) as response:
            assert response.status == 200, await response.text()
