"""Real subscription clients against the server, in Node: graphql-ws (graphql-transport-ws),
Apollo Client's `GraphQLWsLink`, and graphql-sse (distinct connections mode).

`node/live-clients.mjs` subscribes with each, takes the first event (the current state), has
this test change an amount on the algod sandbox (`sandbox_changes`), and waits for the event
telling it. The delay from the change to the event at the client is written to
`test-output/live-clients.json` (a figure for the notes, not asserted).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

from tests.ecosystem.node_tools import TEST_OUTPUT, node, run_asking, sandbox_changes
from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes, serve_graph
from tests.live.conftest import LIVE_SETTINGS
from tests.live.support import SMALL

FIGURES = TEST_OUTPUT / "live-clients.json"


@pytest_asyncio.fixture
async def live(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    # Heartbeats as the defaults space them: a Node client on a loaded machine may take more
    # than the live tests' half second to answer a ping (then the server closes, graphql-ws
    # reconnects and the subscription starts over with a new first event).
    settings = sandboxes.settings(**{**LIVE_SETTINGS, "live_heartbeat_seconds": 15.0})
    async with serve_graph(settings, http, ws="websockets-sansio") as graph:
        yield graph


async def test_graphql_ws_apollo_and_graphql_sse_receive_the_state_then_the_change(
    live: GraphClient, clean: Sandboxes
) -> None:
    config = {
        "url": live.url,
        "address": SMALL,
        "token": GraphClient.token("alice"),
        "calico": CALICO_TOKENS["alice"],
    }
    finished = await run_asking(
        node(), "live-clients.mjs", json.dumps(config), answer=sandbox_changes(clean)
    )
    assert finished.returncode == 0, finished.stderr
    results: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])

    # One connection each: no change was told by a reconnection's first event.
    assert results["graphql-ws"]["connections"] == 1
    assert results["apollo-graphql-ws-link"]["connections"] == 1
    for name in ("graphql-ws", "graphql-sse"):
        first = results[name]["first"]["holdingsChanged"]
        change = results[name]["change"]["holdingsChanged"]
        assert first["initial"] is True and len(first["added"]) == 4, name
        assert change["initial"] is False and change["complete"] is True, name
        assert [c["holding"]["asset"]["symbol"] for c in change["changed"]] == ["USDC"], name
        assert int(change["round"]) > int(first["round"]), name

    apollo = results["apollo-graphql-ws-link"]
    first = apollo["first"]["portfolioChanged"]
    assert first["initial"] is True
    # alice's token travelled in connection_init: her custodial sources are in the portfolio.
    assert {s["source"] for s in first["bySource"]} == {"ALGORAND", "CALICO", "MESH"}
    assert apollo["change"]["portfolioChanged"]["initial"] is False
    moved = apollo["change"]["portfolioChanged"]["moved"]
    assert [m["current"]["amount"] for m in moved] == ["7.000002"]

    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(
        json.dumps({name: round(r["delayMs"], 1) for name, r in results.items()}, indent=2)
    )
