"""Subscribing over both protocols: the first event is the current state, exact, as the query
answers it; over WebSocket (graphql-transport-ws) and over SSE (graphql-sse, distinct
connections, by POST and by a plain GET such as a browser's EventSource sends)."""

from __future__ import annotations

import aiohttp

from tests.harness import GraphClient, Sandboxes
from tests.live.clients import TransportWS, event_stream
from tests.live.support import HOLDINGS, SMALL, holdings_of

QUERY = """query($a: String!) { account(source: ALGORAND, address: $a) {
  holdings(first: 100) { nodes { id amount rawAmount asset { symbol caip19 } } totalCount } } }"""


async def _query_holdings(live: GraphClient) -> list[dict[str, object]]:
    data = await live.data(QUERY, {"a": SMALL})
    nodes: list[dict[str, object]] = data["account"]["holdings"]["nodes"]
    return nodes


async def test_the_first_websocket_event_is_the_current_state_as_the_query_answers_it(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    expected = await _query_holdings(live)
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        event = (await client.next("1"))["data"]["holdingsChanged"]
    assert event["initial"] is True and event["complete"] is True and event["errors"] == []
    assert event["account"] == {"source": "ALGORAND", "address": SMALL}
    assert event["added"] == expected
    assert event["holdingsCount"] == len(expected)
    assert event["removed"] == [] and event["changed"] == []
    assert event["round"] == "48500000"


async def test_the_first_sse_event_is_the_current_state_by_post_and_by_get(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    expected = await _query_holdings(live)
    for method in ("POST", "GET"):
        async with event_stream(
            http, live.url, HOLDINGS, holdings_of("ALGORAND", SMALL), method=method
        ) as stream:
            assert stream.response.status == 200
            assert stream.response.headers["Content-Type"].startswith("text/event-stream")
            event = (await stream.next())["data"]["holdingsChanged"]
        assert event["initial"] is True and event["added"] == expected, method


async def test_a_bad_address_is_refused_before_any_upstream_call(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    bad = SMALL[:-1] + "A"
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", bad))
        message = await client.message("1")
    assert message["type"] in ("error", "next"), message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert bad[:20] in errors[0]["message"]
    assert await clean.algod.total() == 0
