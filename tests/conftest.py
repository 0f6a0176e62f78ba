"""Session-wide servers: the four sandboxes and one graph under test pointed at them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from tests.harness import GraphClient, Sandboxes, serve_graph, start_sandboxes


@pytest_asyncio.fixture(scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture(scope="session")
async def sandboxes(http: aiohttp.ClientSession) -> AsyncIterator[Sandboxes]:
    async with start_sandboxes(http) as running:
        yield running


@pytest_asyncio.fixture(scope="session")
async def graph(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    async with serve_graph(sandboxes.settings(), http) as client:
        yield client


@pytest_asyncio.fixture
async def clean(sandboxes: Sandboxes) -> Sandboxes:
    """The sandboxes with zeroed counters and no faults."""
    await sandboxes.reset()
    return sandboxes
