"""A page in headless Chromium shows a live amount with a plain `EventSource` and changes it
without reloading when the algod sandbox's ledger moves (`node/live-page.mjs`; a screenshot is
saved as `test-output/live-page.png`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from resolvers.numbers import from_base_units, plain
from sources.algod import sandbox_data as algod_data
from tests.ecosystem.node_tools import TEST_OUTPUT, node, run_asking, sandbox_changes
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.live.conftest import LIVE_SETTINGS
from tests.live.support import SMALL

SCREENSHOT = TEST_OUTPUT / "live-page.png"


@pytest_asyncio.fixture
async def live(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    async with serve_graph(sandboxes.settings(**LIVE_SETTINGS), http) as graph:
        yield graph


async def test_a_page_shows_the_new_amount_without_reloading(
    live: GraphClient, clean: Sandboxes
) -> None:
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    config = {
        "url": live.url,
        "address": SMALL,
        "screenshot": str(SCREENSHOT),
    }
    finished = await run_asking(
        node(), "live-page.mjs", json.dumps(config), answer=sandbox_changes(clean)
    )
    assert finished.returncode == 0, finished.stderr
    shown = json.loads(finished.stdout.strip().splitlines()[-1])
    usdc = next(h for h in algod_data.account_holdings(SMALL) if h.asset_id == 31566704)
    assert shown["before"] == plain(from_base_units(usdc.amount, 6))
    assert shown["after"] == "424242.424242"
    assert shown["documents"] == 1 and shown["sameDocument"] is True
    assert shown["problems"] == []
    assert SCREENSHOT.stat().st_size > 0
