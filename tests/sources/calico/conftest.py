"""Fixtures for the Calico tests: one sandbox per module on a loopback port, an HttpUpstream
and a client pointed at it, and a reset before every test so counters and faults start clean."""

from collections.abc import AsyncIterator

import pytest_asyncio

from sources.calico.client import CalicoClient
from sources.calico.sandbox import CalicoSandbox
from sources.http import HttpUpstream
from sources.sandboxing import RunningSandbox, start_sandbox
from sources.source import Source

from .support import reset


@pytest_asyncio.fixture(scope="module")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(CalicoSandbox())
    yield running
    await running.close()


@pytest_asyncio.fixture(scope="module")
async def http(sandbox: RunningSandbox) -> AsyncIterator[HttpUpstream]:
    upstream = HttpUpstream(Source.CALICO, sandbox.url)
    await upstream.start()
    yield upstream
    await upstream.close()


@pytest_asyncio.fixture(scope="module")
async def client(http: HttpUpstream) -> CalicoClient:
    return CalicoClient(http)


@pytest_asyncio.fixture(autouse=True)
async def clean_sandbox(http: HttpUpstream) -> None:
    await reset(http)
