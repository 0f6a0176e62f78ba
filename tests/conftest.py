"""Session-wide servers: the four sandboxes and one graph under test pointed at them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import pytest_asyncio

from settings import Settings
from tests.harness import SENT, GraphClient, Sandboxes, serve_graph, start_sandboxes

AFTER_THE_SUITE = "after_the_suite"
"""Marks a test that runs after every other one (it replays what they sent)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-corpus",
        action="store_true",
        help="write tests/differential/corpus.json from the GraphQL requests this run sent",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{AFTER_THE_SUITE}: run after every other test (it replays their requests)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    last = [item for item in items if item.get_closest_marker(AFTER_THE_SUITE)]
    moved = set(last)
    items[:] = [item for item in items if item not in moved] + last


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.getoption("--record-corpus"):
        from tests.differential.corpus import write_corpus

        count = write_corpus(SENT)
        print(f"\ntests/differential/corpus.json: {count} cases")


@pytest.fixture(scope="session", autouse=True)
def _no_settings_from_the_environment() -> Iterator[None]:
    """Tests see only the settings they pass, not the developer's (restored after the session)."""
    names = Settings.variable_names()
    with pytest.MonkeyPatch.context() as patch:
        # pydantic-settings matches names case-insensitively, so `jwt_secret` counts too.
        for key in [key for key in os.environ if key.upper() in names]:
            patch.delenv(key)
        yield


@pytest_asyncio.fixture(scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest_asyncio.fixture(scope="session")
async def control_http() -> AsyncIterator[aiohttp.ClientSession]:
    """A session for `SandboxControl`s of sandboxes a test package starts itself (some packages
    call their own `HttpUpstream` fixture `http`, which hides the one above)."""
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
async def clean(sandboxes: Sandboxes) -> AsyncIterator[Sandboxes]:
    """The sandboxes with zeroed counters and no faults; reset again after the test, so data it
    moved (`POST /_sandbox/holdings`) does not outlive it in the session's sandboxes."""
    await sandboxes.reset()
    yield sandboxes
    await sandboxes.reset()


@pytest_asyncio.fixture
async def odata(clean: Sandboxes) -> AsyncIterator[Sandboxes]:
    """The sandboxes, clean, with CardanoBI honouring OData's `$skip`/`$top` (its sandbox's
    default is the service as shown: the first 100 tokens, whatever is asked): for tests that
    walk more than 100 tokens of one account. Restored afterwards."""
    await clean.cardanobi.settings(odata=True)
    yield clean
    await clean.cardanobi.reset()
