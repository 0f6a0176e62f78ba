"""One poller per account whatever the number of subscribers; polling stops with the last one;
a failing source is an event carrying the failure, and the stream goes on.

Counts are the sandbox's: the algod requests it served, set against the readings the server
says it made (`holdings_live_readings_total`), so no test depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp

from tests.harness import GraphClient, Sandboxes
from tests.live.clients import TransportWS
from tests.live.conftest import INTERVAL
from tests.live.support import HOLDINGS, SMALL, WHALE, holdings_of, metric, until

ACCOUNT_ROUTE = "GET /v2/accounts/{address}"
ASSETS_ROUTE = "GET /v2/accounts/{address}/assets"
WHALE_READING = {ACCOUNT_ROUTE: 1, ASSETS_ROUTE: 3}
"""One reading of the whale: its balance, and its 2,500 ASAs in three pages of 1,000."""

COUNT_ONLY = """subscription($account: AccountRef!) {
  holdingsChanged(account: $account) { initial holdingsCount complete errors { code } } }"""


async def _readings(http: aiohttp.ClientSession, live: GraphClient) -> float:
    return await metric(http, live, "holdings_live_readings_total", source="ALGORAND")


@contextlib.asynccontextmanager
async def _subscribers(
    http: aiohttp.ClientSession, live: GraphClient, connections: int, each: int, address: str
) -> AsyncIterator[list[TransportWS]]:
    """`connections` times `each` subscriptions to one account, each past its first event."""
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(TransportWS.open(http, live.url))
            for _ in range(connections)
        ]
        for client in clients:
            for n in range(each):
                await client.subscribe(str(n), COUNT_ONLY, holdings_of("ALGORAND", address))
        for client in clients:
            for n in range(each):
                event = (await client.next(str(n)))["data"]["holdingsChanged"]
                assert event["initial"] is True
        yield clients


async def test_fifty_subscribers_of_the_whale_make_one_reading_per_interval(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with _subscribers(http, live, 5, 10, WHALE):
        assert await metric(http, live, "holdings_live_pollers", source="ALGORAND") == 1
        assert await metric(http, live, "holdings_live_subscriptions", kind="holdings") == 50
        await clean.algod.reset()
        before = await _readings(http, live)
        # Three readings or more, however long each takes on a loaded machine.
        await until(lambda: _more_readings(http, live, before + 3))
        # Read the counts between two readings, not across one in flight.
        stats = await clean.algod.stats()
        readings = await _readings(http, live) - before
        if stats["total"] % 4:
            await asyncio.sleep(INTERVAL / 2)
            stats = await clean.algod.stats()
            readings = await _readings(http, live) - before
    served = {route: sum(statuses.values()) for route, statuses in stats["routes"].items()}
    assert readings >= 3
    assert abs(served.get(ACCOUNT_ROUTE, 0) - readings) <= 1, (served, readings)
    assert abs(served.get(ASSETS_ROUTE, 0) - 3 * readings) <= 3, (served, readings)


async def _more_readings(http: aiohttp.ClientSession, live: GraphClient, count: float) -> bool:
    return await _readings(http, live) >= count


async def test_polling_stops_when_the_last_subscriber_leaves(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with _subscribers(http, live, 2, 3, SMALL) as clients:
        for n in range(3):
            await clients[0].complete(str(n))
        # Others still follow: polling goes on.
        count = await clean.algod.total()
        await until(lambda: _more(clean, count))
        for n in range(3):
            await clients[1].complete(str(n))
        await until(lambda: _pollers(http, live, 0))
    stopped = await clean.algod.total()
    await asyncio.sleep(5 * INTERVAL)
    assert await clean.algod.total() == stopped


async def _more(clean: Sandboxes, count: int) -> bool:
    return await clean.algod.total() > count


async def _pollers(http: aiohttp.ClientSession, live: GraphClient, expected: int) -> bool:
    return await metric(http, live, "holdings_live_pollers", source="ALGORAND") == expected


async def test_a_failing_source_is_an_event_with_the_failure_and_the_stream_goes_on(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        first = (await client.next("1"))["data"]["holdingsChanged"]
        assert first["complete"] is True and len(first["added"]) == 4
        await clean.algod.faults(status=500)
        failed = (await client.next("1"))["data"]["holdingsChanged"]
        assert failed["initial"] is False and failed["complete"] is False
        assert {e["code"] for e in failed["errors"]} == {"UPSTREAM_UNAVAILABLE"}
        assert all(e["source"] == "ALGORAND" for e in failed["errors"])
        # The holdings stay as last read: nothing is reported removed.
        assert failed["removed"] == [] and failed["added"] == []
        assert failed["holdingsCount"] == 4
        await clean.algod.faults()
        recovered = (await client.next("1"))["data"]["holdingsChanged"]
    assert recovered["complete"] is True and recovered["errors"] == []
    assert recovered["added"] == recovered["removed"] == recovered["changed"] == []
