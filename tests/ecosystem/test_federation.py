"""The Federation v2 subgraph from a router's side: `_entities` and the published SDL.

A router sends `_entities(representations:)`; these tests send what it sends, over HTTP, and
count what reached algod. Expected data comes from the sandbox data modules.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import aiohttp
import pytest

from sources.algod import sandbox_data as algod_data
from tests.graph.support import ALGOD_ACCOUNT, ALGOD_ASSETS, codes
from tests.harness import GraphClient, Sandboxes, serve_graph

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Account { source address holdings(first: 1) { nodes { rawAmount asset { assetId } } } }
    ... on Asset { assetId symbol }
    ... on AssetHolding { rawAmount account { address } asset { assetId } }
    ... on Provider { slug }
  }
}
"""

ACCOUNT_ONLY = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Account { address } }
}
"""


def algorand(address: str) -> dict[str, str]:
    return {"__typename": "Account", "source": "ALGORAND", "address": address}


def global_id(*parts: str) -> str:
    """An id in the documented form: URL-safe base64 of a JSON array, unpadded."""
    text = json.dumps(list(parts), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def first_holding(address: str) -> dict[str, Any]:
    """The native ALGO balance, which heads every Algorand account's holdings."""
    balance = algod_data.algo_balances()[address]
    return {"rawAmount": str(balance), "asset": {"assetId": None}}


def expected_account(address: str) -> dict[str, Any]:
    nodes = [first_holding(address)]
    return {
        "__typename": "Account",
        "source": "ALGORAND",
        "address": address,
        "holdings": {"nodes": nodes},
    }


async def test_fifty_account_representations_cost_fifty_algod_reads_of_each_kind_sent_concurrently(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    addresses = algod_data.BENCH_ADDRESSES
    assert len(set(addresses)) == 50
    await clean.algod.faults(latency_ms=200)
    # The server's own cap on concurrent algod calls must not be what limits this test.
    async with serve_graph(clean.settings(algod_max_concurrency=128), http) as graph:
        data = await graph.data(ENTITIES, {"representations": [algorand(a) for a in addresses]})
    assert data["_entities"] == [expected_account(address) for address in addresses]
    # Each account: one page of ASAs and one ALGO balance (the native head), all at once.
    assert await clean.algod.count(ALGOD_ASSETS) == 50
    assert await clean.algod.count(ALGOD_ACCOUNT) == 50
    assert (await clean.algod.stats())["max_in_flight"] == 100


async def test_fifty_representations_of_one_account_cost_one_algod_request(
    graph: GraphClient, clean: Sandboxes
) -> None:
    representations = [algorand(algod_data.SMALL)] * 50
    data = await graph.data(ENTITIES, {"representations": representations})
    assert data["_entities"] == [expected_account(algod_data.SMALL)] * 50
    assert await clean.algod.count(ALGOD_ASSETS) == 1
    assert await clean.algod.count(ALGOD_ACCOUNT) == 1


async def test_entities_of_every_type_come_back_in_the_representations_order(
    graph: GraphClient, clean: Sandboxes
) -> None:
    usdc = str(algod_data.USDC_ID)
    representations = [
        {"__typename": "Provider", "id": global_id("Provider", "kraken")},
        {"__typename": "Account", "id": global_id("Account", "ALGORAND", algod_data.WHALE)},
        {"__typename": "Asset", "id": global_id("Asset", "ALGORAND", usdc)},
        {
            "__typename": "AssetHolding",
            "id": global_id("AssetHolding", "ALGORAND", algod_data.SMALL, usdc),
        },
        algorand(algod_data.EMPTY),
    ]
    data = await graph.data(ENTITIES, {"representations": representations})
    small_usdc = next(
        h for h in algod_data.account_holdings(algod_data.SMALL) if h.asset_id == algod_data.USDC_ID
    )
    usdc_params = algod_data.assets()[algod_data.USDC_ID]
    assert data["_entities"] == [
        {"__typename": "Provider", "slug": "kraken"},
        expected_account(algod_data.WHALE),
        {"__typename": "Asset", "assetId": usdc, "symbol": usdc_params.unit_name},
        {
            "__typename": "AssetHolding",
            "rawAmount": str(small_usdc.amount),
            "account": {"address": algod_data.SMALL},
            "asset": {"assetId": usdc},
        },
        expected_account(algod_data.EMPTY),
    ]


BAD_REPRESENTATIONS = {
    "unknown __typename": {"__typename": "Wallet", "id": "x"},
    "no __typename": {"source": "ALGORAND", "address": algod_data.SMALL},
    "a type that is no entity": {"__typename": "Position", "id": "x"},
    "missing key field": {"__typename": "Account", "source": "ALGORAND"},
    "key field not a string": {"__typename": "Account", "source": "ALGORAND", "address": 7},
    "bad address": algorand(algod_data.SMALL[:-1] + "A"),
    "unknown source": {"__typename": "Account", "source": "DOGE", "address": algod_data.SMALL},
    "id not issued by this graph": {"__typename": "Account", "id": "not-an-id"},
    "id of another type": {"__typename": "Account", "id": global_id("Provider", "kraken")},
    "not an object": "Account:ALGORAND",
}


@pytest.mark.parametrize("bad", list(BAD_REPRESENTATIONS.values()), ids=list(BAD_REPRESENTATIONS))
async def test_a_bad_representation_is_null_with_an_error_in_its_own_slot_only(
    graph: GraphClient, clean: Sandboxes, bad: object
) -> None:
    representations = [algorand(algod_data.SMALL), bad, algorand(algod_data.EMPTY)]
    body = await graph.query(ACCOUNT_ONLY, {"representations": representations})
    assert body["data"]["_entities"] == [
        {"address": algod_data.SMALL},
        None,
        {"address": algod_data.EMPTY},
    ]
    assert [error["path"] for error in body["errors"]] == [["_entities", 1]]
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_a_representation_of_nothing_is_null_with_an_error_in_its_own_slot_only(
    graph: GraphClient, clean: Sandboxes
) -> None:
    held = {h.asset_id for h in algod_data.account_holdings(algod_data.SMALL)}
    assert 999 not in held
    missing = global_id("AssetHolding", "ALGORAND", algod_data.SMALL, "999")
    representations = [
        algorand(algod_data.SMALL),
        {"__typename": "AssetHolding", "id": missing},
        algorand(algod_data.EMPTY),
    ]
    body = await graph.query(ACCOUNT_ONLY, {"representations": representations})
    assert body["data"]["_entities"] == [
        {"address": algod_data.SMALL},
        None,
        {"address": algod_data.EMPTY},
    ]
    assert [error["path"] for error in body["errors"]] == [["_entities", 1]]
    assert codes(body) == ["BAD_USER_INPUT"]
    assert missing in body["errors"][0]["message"]


async def test_bad_representations_are_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(ENTITIES, {"representations": list(BAD_REPRESENTATIONS.values())})
    assert body["data"]["_entities"] == [None] * len(BAD_REPRESENTATIONS)
    paths = sorted(error["path"][1] for error in body["errors"])
    assert paths == list(range(len(BAD_REPRESENTATIONS)))
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


async def test_the_subgraph_sdl_prices_every_connection_by_first(graph: GraphClient) -> None:
    sdl = (await graph.data("{ _service { sdl } }"))["_service"]["sdl"]
    size = '@listSize(slicingArguments: ["first"], sizedFields: ["edges", "nodes"]'
    for connection in ("AssetHoldingConnection!", "PositionConnection!", "ProviderConnection!"):
        lines = [line for line in sdl.splitlines() if f"): {connection}" in line]
        assert lines, connection
        assert all(size in line for line in lines), lines
    assert '"@cost"' in sdl and '"@listSize"' in sdl  # imported through @link


@pytest.mark.parametrize("entity", ["Account", "AssetHolding", "Asset", "Provider"])
async def test_every_entity_type_is_resolvable_by_the_router(
    graph: GraphClient, entity: str
) -> None:
    sdl = (await graph.data("{ _service { sdl } }"))["_service"]["sdl"]
    declaration = next(line for line in sdl.splitlines() if line.startswith(f"type {entity} "))
    assert '@key(fields: "id")' in declaration
    members = await graph.data('{ __type(name: "_Entity") { possibleTypes { name } } }')
    assert entity in {t["name"] for t in members["__type"]["possibleTypes"]}
