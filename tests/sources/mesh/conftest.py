"""Fixtures: one Mesh sandbox on a loopback port, one `HttpUpstream` to it, and a handle on the
sandbox's `/_sandbox/` control API; the sandbox is reset before every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp
import pytest_asyncio

from sources.http import HttpUpstream, UpstreamResponse
from sources.mesh import PORTFOLIO_PATH, MeshClient
from sources.mesh.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, MeshSandbox
from sources.sandboxing import RunningSandbox, start_sandbox
from sources.source import Source
from tests.sandbox_control import SandboxControl

ROUTE = f"GET {PORTFOLIO_PATH}"
CREDENTIALS = {"X-Client-Id": SANDBOX_CLIENT_ID, "X-Client-Secret": SANDBOX_CLIENT_SECRET}
ANY_STATUS = range(100, 600)


@dataclass
class MeshControl(SandboxControl):
    """The sandbox seen from outside: its control API, and raw requests to its endpoint."""

    upstream: HttpUpstream | None = None

    async def portfolio_requests(self) -> dict[str, int]:
        """Requests served on the portfolio route since the last reset, by outcome."""
        return await self.routes(ROUTE)

    async def get(
        self,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = CREDENTIALS,
    ) -> UpstreamResponse:
        """A raw `GET` of the portfolio endpoint; any status comes back."""
        assert self.upstream is not None
        return await self.upstream.request(
            "GET", PORTFOLIO_PATH, params=params, headers=headers, accept=ANY_STATUS
        )


@pytest_asyncio.fixture(scope="session")
async def mesh_sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(MeshSandbox())
    yield running
    await running.close()


@pytest_asyncio.fixture(scope="session")
async def mesh_http(mesh_sandbox: RunningSandbox) -> AsyncIterator[HttpUpstream]:
    http = HttpUpstream(Source.MESH, mesh_sandbox.url)
    await http.start()
    yield http
    await http.close()


@pytest_asyncio.fixture(scope="session")
async def control(
    http: aiohttp.ClientSession, mesh_sandbox: RunningSandbox, mesh_http: HttpUpstream
) -> MeshControl:
    return MeshControl(http, mesh_sandbox.url, mesh_http)


@pytest_asyncio.fixture(scope="session")
async def client(mesh_http: HttpUpstream) -> MeshClient:
    return MeshClient(mesh_http, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET)


@pytest_asyncio.fixture(autouse=True)
async def _fresh_sandbox(control: MeshControl) -> None:
    """Zero the counters and clear faults, so every test sees only its own requests."""
    await control.reset()
