"""Limits and hygiene: subscriptions per connection and per user, heartbeats both ways (pings
over WebSocket, comments over SSE), and the slow consumer dropped with its own close code."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

from sources.cardanobi.sandbox_data import SMALL as CARDANO_SMALL
from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes, serve_graph
from tests.live.clients import TransportWS, event_stream
from tests.live.conftest import LIVE_SETTINGS
from tests.live.support import (
    HOLDINGS,
    SMALL,
    WHALE,
    holdings_of,
    metric,
    socket_queues,
    until,
)

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
    readings = await metric(http, live, "holdings_live_readings_total", source="ALGORAND")
    async with TransportWS.open(http, live.url, read=False) as slow:
        # Eight first events of the whale (about a megabyte each) fill the socket's buffers, so
        # the server cannot send more; then each reading that fails, and each that recovers,
        # makes an event for every subscription, until their queues overflow. The first
        # reading is a healthy one, so the first events are the whale's every holding.
        for n in range(8):
            await slow.subscribe(str(n), WHALE_EVERYTHING, holdings_of("ALGORAND", WHALE))
        await until(lambda: _read_more(http, live, readings + 1))
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


WHALE_STATUS = """subscription($account: AccountRef!) { holdingsChanged(account: $account) {
  initial complete holdingsCount errors { code } } }"""

CARDANO_HOLDINGS = """query($a: String!) { account(source: CARDANO, address: $a) {
  holdings(first: 5) { nodes { id amount } } } }"""

TURN = 10.0
"""Generous for one turn of the feed (an interval, a reading of the whale, a small event). The
first events of a slow consumer's forty subscriptions to the whale each held the event loop for
seconds, back to back, well over a minute in all on a loaded machine."""

HOGS = 40
"""The slow consumer's subscriptions to the whale's every holding..."""
FILL = 6
"""... of which the first fill its socket (the kernel's buffers hold about four megabytes)."""


@pytest_asyncio.fixture(scope="module")
async def roomy(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    """A patient server whose subscribers' queues hold more events than a test makes, so a
    consumer that stops reading stays subscribed (its socket full) without being dropped."""
    settings = sandboxes.settings(
        **{
            **LIVE_SETTINGS,
            "live_heartbeat_seconds": 60.0,
            "live_queue_events": 64,
            "live_max_subscriptions_per_connection": HOGS,
        }
    )
    async with serve_graph(settings, http, ws="websockets-sansio") as client:
        yield client


async def test_a_consumer_with_a_full_socket_leaves_others_their_share_of_the_event_loop(
    roomy: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    live = roomy
    whale = holdings_of("ALGORAND", WHALE)
    port = int(live.url.rsplit(":", 1)[1].split("/", 1)[0])
    dropped = await metric(http, live, "holdings_live_dropped_total", reason="slow_consumer")
    async with (
        TransportWS.open(http, live.url) as other,
        TransportWS.open(http, live.url, read=False) as slow,
    ):
        await other.subscribe("whale", WHALE_STATUS, whale)
        assert (await other.next("whale"))["data"]["holdingsChanged"]["initial"]
        # First events of 2,500 holdings each for the slow consumer, about a megabyte each:
        # enough to fill its socket's buffers, then more, which the server executes while the
        # slow consumer's socket stays full.
        slow_port = slow.ws.get_extra_info("sockname")[1]
        for n in range(FILL):
            await slow.subscribe(str(n), WHALE_EVERYTHING, whale)
        await until(lambda: _full(port, slow_port), within=60.0)
        for n in range(FILL, HOGS):
            await slow.subscribe(str(n), WHALE_EVERYTHING, whale)
        # Meanwhile the feed goes on for the other subscriber, and queries are answered.
        answered = events = 0
        for turn in range(4):
            failing = turn % 2 == 0
            async with asyncio.timeout(TURN):
                await clean.algod.faults(**({"status": 500} if failing else {}))
                while True:  # the other subscriber's event saying the reading failed, or not
                    event = (await other.next("whale"))["data"]["holdingsChanged"]
                    if event["complete"] is not failing:
                        break
                events += 1
                data = await live.data(CARDANO_HOLDINGS, {"a": CARDANO_SMALL})
                assert data["account"]["holdings"]["nodes"]
                answered += 1
        assert events == answered == 4
        # The slow consumer's socket is still full, and it was not dropped.
        assert await _full(port, slow_port)
        assert await metric(http, live, "holdings_live_subscriptions", kind="holdings") == HOGS + 1
        assert not await _dropped(http, live, dropped + 1)
        await clean.algod.faults()
        slow.start_reading()


async def _full(server_port: int, client_port: int) -> bool:
    """Whether the server has bytes for the client that the client's socket does not take."""
    queues = socket_queues(server_port, client_port)
    return queues is not None and queues[0] > 0


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
