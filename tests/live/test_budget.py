"""Every poll goes through the source's rate budget and breaker, as a query does: a poller that
would read far more often than the source's rate waits for it, and one whose source's breaker is
open stops reaching the source until the breaker's probe (its subscribers are told of the
failure once, and of the recovery). Counts are the sandbox's."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.live.clients import TransportWS
from tests.live.conftest import LIVE_SETTINGS
from tests.live.support import HOLDINGS, SMALL, holdings_of, metric, until

RATE = 2.0
"""algod requests per second the server may send (a reading of SMALL is two)."""
WINDOW = 3.0
RESET = 6.0
"""Seconds the breaker stays open before its probe: far longer than the window watched."""


async def _readings(http: aiohttp.ClientSession, live: GraphClient) -> float:
    return await metric(http, live, "holdings_live_readings_total", source="ALGORAND")


async def test_polls_keep_within_the_sources_rate(
    sandboxes: Sandboxes, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # Polled every 0.05 s, SMALL would cost algod 40 requests a second; the budget allows 2.
    settings = sandboxes.settings(
        **{**LIVE_SETTINGS, "live_algod_poll_seconds": 0.05},
        algod_rate_per_second=RATE,
        algod_rate_burst=1,
        public_cache_ttl_seconds=0,
    )
    async with (
        serve_graph(settings, http, ws="websockets-sansio") as live,
        TransportWS.open(http, live.url) as client,
    ):
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        first = (await client.next("1"))["data"]["holdingsChanged"]
        assert first["complete"] is True
        served_before, readings_before = await clean.algod.total(), await _readings(http, live)
        await asyncio.sleep(WINDOW)
        served = await clean.algod.total() - served_before
        readings = await _readings(http, live) - readings_before
    # At most the rate over the window, plus the burst and a request in flight at each end.
    assert served <= RATE * WINDOW + 3, served
    assert readings >= 2, readings  # it still polls, at the rate's pace
    assert readings <= served / 2 + 1, (readings, served)


async def test_polls_stop_reaching_a_source_whose_breaker_is_open_until_its_probe(
    sandboxes: Sandboxes, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(
        **LIVE_SETTINGS,
        breaker_failure_threshold=2,
        breaker_reset_seconds=RESET,
        public_cache_ttl_seconds=0,
    )
    async with (
        serve_graph(settings, http, ws="websockets-sansio") as live,
        TransportWS.open(http, live.url) as client,
    ):
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        first = (await client.next("1"))["data"]["holdingsChanged"]
        assert first["complete"] is True
        await clean.algod.faults(status=500)
        failed = (await client.next("1"))["data"]["holdingsChanged"]
        assert failed["complete"] is False
        assert {e["code"] for e in failed["errors"]} == {"UPSTREAM_UNAVAILABLE"}
        await until(lambda: _breaker_open(http, live))
        # Open: polls wait for the breaker's probe (its Retry-After) instead of calling algod
        # every interval; a few intervals pass without one request.
        served_before = await clean.algod.total()
        await asyncio.sleep(8 * LIVE_SETTINGS["live_algod_poll_seconds"])
        served_while_open = await clean.algod.total() - served_before
        # algod is back: the probe finds it up, and the stream says so.
        await clean.algod.faults()
        recovered = (await client.next("1"))["data"]["holdingsChanged"]
    assert served_while_open == 0
    assert recovered["complete"] is True and recovered["errors"] == []
    assert recovered["added"] == recovered["removed"] == recovered["changed"] == []


async def _breaker_open(http: aiohttp.ClientSession, live: GraphClient) -> bool:
    state = await metric(http, live, "holdings_upstream_breaker_state", source="ALGORAND")
    return state == 2
