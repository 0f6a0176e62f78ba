"""Fixtures for the CardanoBI tests: one sandbox per module on a loopback port, an HttpUpstream
pointed at it and one at its token endpoint (the identity server is an upstream of its own), a
fresh client (and so a fresh token cache) per test, and a reset before every test so counters,
faults and the token lifetime start clean."""

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_API_SECRET,
    CardanoBISandbox,
    CardanoBISettings,
)
from sources.http import HttpUpstream
from sources.sandboxing import RunningSandbox, start_sandbox
from sources.source import Source
from tests.sources.building import identity as identity_of

from .support import Control


@pytest_asyncio.fixture(scope="module")
async def sandbox() -> AsyncIterator[RunningSandbox]:
    # Headroom: these tests send many requests a second, which the free plan (the sandbox's
    # default, 1/s per key) would refuse; the gateway's own tests set the plan back.
    running = await start_sandbox(CardanoBISandbox(settings=CardanoBISettings(plan="unlimited")))
    yield running
    await running.close()


@pytest_asyncio.fixture(scope="module")
async def http(sandbox: RunningSandbox) -> AsyncIterator[HttpUpstream]:
    upstream = HttpUpstream(Source.CARDANO, sandbox.url)
    await upstream.start()
    yield upstream
    await upstream.close()


@pytest_asyncio.fixture(scope="module")
async def identity(sandbox: RunningSandbox) -> AsyncIterator[HttpUpstream]:
    upstream = identity_of(sandbox.url)
    await upstream.start()
    yield upstream
    await upstream.close()


@pytest_asyncio.fixture(scope="module")
async def control(
    control_http: aiohttp.ClientSession, sandbox: RunningSandbox, http: HttpUpstream
) -> Control:
    return Control(control_http, sandbox.url, http)


@pytest_asyncio.fixture
async def client(http: HttpUpstream, identity: HttpUpstream) -> CardanoBIClient:
    return CardanoBIClient(
        http, identity=identity, api_key=SANDBOX_API_KEY, api_secret=SANDBOX_API_SECRET
    )


@pytest_asyncio.fixture(autouse=True)
async def clean_sandbox(control: Control) -> None:
    await control.reset()
