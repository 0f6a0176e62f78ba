"""A server under test with WebSockets on and short poll intervals, beside the session's."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from tests.harness import GraphClient, Sandboxes, serve_graph

INTERVAL = 0.2
"""Seconds between two readings of an account, every source (the defaults are seconds)."""

LIVE_SETTINGS = {
    "live_algod_poll_seconds": INTERVAL,
    "live_cardanobi_poll_seconds": INTERVAL,
    "live_calico_poll_seconds": INTERVAL,
    "live_mesh_poll_seconds": INTERVAL,
    "live_heartbeat_seconds": 0.5,
    "live_max_subscriptions_per_connection": 12,
    "live_max_subscriptions_per_user": 6,
    "live_queue_events": 4,
}


@pytest_asyncio.fixture(scope="module")
async def live(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    settings = sandboxes.settings(**LIVE_SETTINGS)
    async with serve_graph(settings, http, ws="websockets-sansio") as client:
        yield client
