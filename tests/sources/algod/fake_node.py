"""A node that answers whatever the test tells it to.

The faithful sandbox never sends absurd data; this fake does, so tests can show that every
wrong shape the client may meet becomes `UpstreamBadResponse`. Still real HTTP, no mocks.
"""

from collections.abc import Iterable

from aiohttp import web

from sources.sandboxing import Sandbox
from sources.source import Source


class FakeNode(Sandbox):
    source = Source.ALGORAND

    def __init__(self) -> None:
        self.body = "{}"
        self.status = 200

    def answer(self, body: str, status: int = 200) -> None:
        self.body = body
        self.status = status

    def routes(self) -> Iterable[web.RouteDef]:
        return [web.get("/{path:.*}", self._serve)]

    async def _serve(self, request: web.Request) -> web.Response:
        return web.Response(text=self.body, status=self.status, content_type="application/json")
