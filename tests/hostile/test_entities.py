"""Finding 3: `_entities(representations:)` is bounded like `nodes(ids:)` and `accounts(refs:)`
and costed per representation. Before: 8,000 representations took 37 s, 899 MB and 16,000 algod
calls."""

from __future__ import annotations

import hashlib
from typing import Any

import aiohttp

from sources.algod import sandbox_data as algod_data
from sources.algod.address import encode_address
from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.hostile.support import attack, refused_by

HOLDINGS = """query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Account { holdings(first: 1) { nodes { amount } } } }
}"""
ADDRESSES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { address } } }"


def representations(n: int) -> list[dict[str, Any]]:
    """`n` Account representations of distinct, valid Algorand addresses."""
    return [
        {
            "__typename": "Account",
            "source": "ALGORAND",
            "address": encode_address(hashlib.sha256(b"entity %d" % i).digest()),
        }
        for i in range(n)
    ]


async def test_8000_representations_reading_holdings_are_refused_before_any_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    outcome = await attack(graph, HOLDINGS, {"r": representations(8000)})
    message = await refused_by(outcome, "QUERY_TOO_COMPLEX", clean)
    # Each representation counted, not 100 of them: 8000 x (balance, one assets page).
    assert "upstream calls is 16000, over the limit MAX_UPSTREAM_CALLS=1000" in message, message


async def test_8000_representations_are_bad_input_naming_the_count(
    graph: GraphClient, clean: Sandboxes
) -> None:
    outcome = await attack(graph, ADDRESSES, {"r": representations(8000)})
    message = await refused_by(outcome, "BAD_USER_INPUT", clean)
    assert message == "representations: 8000 representations asked; at most 100 at once"
    assert outcome.body["data"] is None


async def test_max_ids_representations_resolve(graph: GraphClient) -> None:
    r = [{"__typename": "Account", "source": "ALGORAND", "address": algod_data.SMALL}] * 100
    data = await graph.data(ADDRESSES, {"r": r})
    assert [e["address"] for e in data["_entities"]] == [algod_data.SMALL] * 100


async def test_representations_over_max_ids_are_costed_whole(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    # MAX_IDS 20: 40 representations cost 40 x 3 (account, holdings, nodes), not 20 x 3 (as
    # refs and ids over MAX_IDS do).
    async with serve_graph(sandboxes.settings(max_ids=20, max_query_cost=100), http) as tight:
        body = await tight.query(HOLDINGS, {"r": representations(40)})
        assert codes(body) == ["QUERY_TOO_COMPLEX"], body
        assert "estimated cost is 120," in body["errors"][0]["message"], body
        body = await tight.query(ADDRESSES, {"r": representations(21)})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert "21 representations asked; at most 20" in body["errors"][0]["message"]
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]
