"""Limits and hygiene: subscriptions per connection and per user, heartbeats both ways (pings
over WebSocket, comments over SSE), and the slow consumer dropped with its own close code."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes, serve_graph
from tests.live.clients import TransportWS, event_stream
from tests.live.conftest import LIVE_SETTINGS
from tests.live.support import HOLDINGS, SMALL, WHALE, holdings_of, metric, until

PER_CONNECTION = LIVE_SETTINGS["live_max_subscriptions_per_connection"]
PER_USER = LIVE_SETTINGS["live_max_subscriptions_per_user"]


async def test_one_subscription_over_the_connections_limit_gets_a_coded_error(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url) as client:
        for n in range(PER_CONNECTION):
            await client.subscribe(str(n), HOLDINGS, holdings_of("ALGORAND", SMALL))
        for n in range(PER_CONNECTION):
            assert (await client.next(str(n)))["data"]["holdingsChanged"]["initial"]
        await client.subscribe("over", HOLDINGS, holdings_of("ALGORAND", SMALL))
        refused = await client.message("over")
        assert refused["type"] == "error"
        error = refused["payload"][0]
        assert error["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        assert f"LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION={PER_CONNECTION}" in error["message"]
        # Completing one makes room again.
        await client.complete("0")
        await until(lambda: _holding(http, live, PER_CONNECTION - 1))
        await client.subscribe("again", HOLDINGS, holdings_of("ALGORAND", SMALL))
        assert (await client.next("again"))["data"]["holdingsChanged"]["initial"]


async def _holding(http: aiohttp.ClientSession, live: GraphClient, count: int) -> bool:
    return await metric(http, live, "holdings_live_subscriptions", kind="holdings") == count


async def test_a_user_over_the_per_user_limit_is_refused_across_connections(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    payload = {
        "Authorization": f"Bearer {GraphClient.token('bob')}",
        "X-Calico-Token": CALICO_TOKENS["bob"],
    }
    async with (
        TransportWS.open(http, live.url, payload) as first,
        TransportWS.open(http, live.url, payload) as second,
    ):
        for n in range(PER_USER):
            client = first if n % 2 else second
            await client.subscribe(str(n), HOLDINGS, holdings_of("MESH", "bob"))
            assert (await client.next(str(n)))["data"]["holdingsChanged"]["initial"]
        await first.subscribe("over", HOLDINGS, holdings_of("MESH", "bob"))
        refused = await first.message("over")
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
    assert f"LIVE_MAX_SUBSCRIPTIONS_PER_USER={PER_USER}" in refused["payload"][0]["message"]


async def test_the_server_pings_and_closes_a_connection_that_never_pongs(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url) as polite:
        await until(lambda: _pinged(polite, 3))
    async with TransportWS.open(http, live.url, answer_pings=False) as mute:
        code, reason = await mute.closed()
    assert code == 4408 and "pong" in reason
    assert mute.pings == 1


async def _pinged(client: TransportWS, count: int) -> bool:
    return client.pings >= count and not client.ws.closed


async def test_sse_sends_comments_while_nothing_changes(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with event_stream(http, live.url, HOLDINGS, holdings_of("ALGORAND", SMALL)) as stream:
        assert (await stream.next())["data"]["holdingsChanged"]["initial"]
        with contextlib.suppress(TimeoutError):
            await stream.event(within=2.0)  # only comments come: it times out
    assert stream.comments >= 2


WHALE_EVERYTHING = """subscription($account: AccountRef!) { holdingsChanged(account: $account) {
  initial complete errors { code message }
  added { id amount rawAmount stakedAmount isFrozen priceUsd valueUsd walletAddress fetchedAt round
    provider { slug name } asset { id symbol name decimals caip19 kind } account { id address } }
} }"""


@pytest_asyncio.fixture(scope="module")
async def patient(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    """A server whose heartbeat would not close a connection that stops reading before it is
    dropped as a slow consumer (a minute between pings)."""
    settings = sandboxes.settings(**{**LIVE_SETTINGS, "live_heartbeat_seconds": 60.0})
    async with serve_graph(settings, http, ws="websockets-sansio") as client:
        yield client


async def test_a_slow_consumer_is_dropped_with_close_code_4413(
    patient: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    live = patient
    dropped = await metric(http, live, "holdings_live_dropped_total", reason="slow_consumer")
    async with TransportWS.open(http, live.url, read=False) as slow:
        # Eight first events of the whale (about a megabyte each) fill the socket's buffers, so
        # the server cannot send more; then each reading that fails, and each that recovers,
        # makes an event for every subscription, until their queues overflow.
        for n in range(8):
            await slow.subscribe(str(n), WHALE_EVERYTHING, holdings_of("ALGORAND", WHALE))
        for turn in range(4 * LIVE_SETTINGS["live_queue_events"]):
            if await _dropped(http, live, dropped + 1):
                break
            await _one_more_reading(http, live, clean, failing=turn % 2 == 0)
        await clean.algod.faults()
        assert await _dropped(http, live, dropped + 1)
        slow.start_reading()
        code, reason = await slow.closed()
    assert code == 4413 and "slow consumer" in reason
    assert await metric(http, live, "holdings_live_subscriptions", kind="holdings") == 0


async def _dropped(http: aiohttp.ClientSession, live: GraphClient, count: float) -> bool:
    return await metric(http, live, "holdings_live_dropped_total", reason="slow_consumer") >= count


async def _one_more_reading(
    http: aiohttp.ClientSession, live: GraphClient, clean: Sandboxes, *, failing: bool
) -> None:
    if failing:
        await clean.algod.faults(status=500)
    else:
        await clean.algod.faults()
    readings = await metric(http, live, "holdings_live_readings_total", source="ALGORAND")
    await until(lambda: _read_more(http, live, readings + 1))


async def _read_more(http: aiohttp.ClientSession, live: GraphClient, count: float) -> bool:
    return await metric(http, live, "holdings_live_readings_total", source="ALGORAND") >= count


_ = (asyncio, Any)
