"""Raw HTTP to a sandbox node and its `/_sandbox/` control API, for tests that check the wire."""

import json
from dataclasses import dataclass
from typing import Any

from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN
from tests.sandbox_control import SandboxControl

AUTH = {"X-Algo-API-Token": SANDBOX_ALGOD_TOKEN}


@dataclass(frozen=True, slots=True)
class RawAnswer:
    status: int
    content_type: str
    text: str
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class RawNode(SandboxControl):
    """Raw requests to a sandbox node, beside its control API."""

    async def get(
        self,
        path: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> RawAnswer:
        """GET `path`, with the sandbox token unless `headers` says otherwise."""
        async with self.http.get(
            self.url + path, params=params, headers=AUTH if headers is None else headers
        ) as response:
            return RawAnswer(
                response.status,
                response.content_type,
                await response.text(),
                dict(response.headers),
            )

    async def post(self, path: str) -> RawAnswer:
        async with self.http.post(self.url + path, headers=AUTH) as response:
            return RawAnswer(response.status, response.content_type, await response.text(), {})
