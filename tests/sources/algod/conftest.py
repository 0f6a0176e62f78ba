"""Fixtures: one sandbox node for the session, spoken to over real HTTP on loopback.

`client` is the production client on the sandbox; `node` is raw HTTP to the same sandbox plus
its control API, reset before and after each test that takes it, so faults never leak.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from sources.algod.client import AlgodClient
from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN, AlgodSandbox
from sources.http import HttpUpstream, Timeouts
from sources.sandboxing import RunningSandbox, start_sandbox
from sources.source import Source
from tests.sources.algod.fake_node import FakeNode
from tests.sources.algod.raw import RawNode
from tests.sources.building import upstream_of

MakeClient = Callable[..., Awaitable[AlgodClient]]


@pytest_asyncio.fixture(scope="session")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(AlgodSandbox())
    yield running
    await running.close()


@pytest_asyncio.fixture(scope="session")
async def upstream(sandbox: RunningSandbox) -> AsyncIterator[HttpUpstream]:
    http = HttpUpstream(Source.ALGORAND, sandbox.url)
    await http.start()
    yield http
    await http.close()


@pytest.fixture
def client(upstream: HttpUpstream) -> AlgodClient:
    return AlgodClient(upstream, SANDBOX_ALGOD_TOKEN)


@pytest_asyncio.fixture(scope="session")
async def raw_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture
async def node(
    sandbox: RunningSandbox, raw_session: aiohttp.ClientSession
) -> AsyncIterator[RawNode]:
    raw = RawNode(raw_session, sandbox.url)
    await raw.reset()
    yield raw
    await raw.reset()


@pytest_asyncio.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """Clients for other nodes, tokens or timeouts; closed at the end of the test."""
    opened: list[HttpUpstream] = []

    async def make(
        url: str, token: str = SANDBOX_ALGOD_TOKEN, *, timeouts: Timeouts | None = None
    ) -> AlgodClient:
        upstream = upstream_of(Source.ALGORAND, url, timeouts=timeouts)
        await upstream.start()
        opened.append(upstream)
        return AlgodClient(upstream, token)

    yield make
    for upstream in opened:
        await upstream.close()


@pytest_asyncio.fixture
async def start_node() -> AsyncIterator[Callable[..., Awaitable[RunningSandbox]]]:
    """Start extra sandbox nodes (other configurations); closed at the end of the test."""
    running: list[RunningSandbox] = []

    async def start(**options: Any) -> RunningSandbox:
        started = await start_sandbox(AlgodSandbox(**options))
        running.append(started)
        return started

    yield start
    for started in running:
        await started.close()


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[tuple[FakeNode, RunningSandbox]]:
    node = FakeNode()
    running = await start_sandbox(node)
    yield node, running
    await running.close()
