"""Every argument and id is checked before any upstream call; a bad one is BAD_USER_INPUT
naming the value, in its own field or slot."""

from __future__ import annotations

import base64
import json

import pytest

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import HOLDINGS_PAGE, codes, walk_holdings
from tests.harness import GraphClient, Sandboxes

NODE = "query($id: ID!) { node(id: $id) { id } }"


def _id(*parts: str) -> str:
    raw = json.dumps(list(parts)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def _total(sandboxes: Sandboxes) -> int:
    return sum([await handle.total() for handle in sandboxes.all()])


@pytest.mark.parametrize(
    ("filter", "named"),
    [
        ({"symbols": ["BTC,ETH"]}, "BTC,ETH"),
        ({"symbols": ["X" * 65]}, "XXXX"),
        ({"symbols": ["bad\u0000symbol"]}, "bad"),
        ({"providers": ["Coin Base"]}, "coin base"),
        ({"symbols": [f"S{i}" for i in range(51)]}, "51 values"),
    ],
)
async def test_a_bad_filter_is_refused_before_calico_is_asked(
    graph: GraphClient, clean: Sandboxes, filter: dict[str, list[str]], named: str
) -> None:
    body = await graph.query(
        HOLDINGS_PAGE,
        {"source": "CALICO", "address": "alice", "first": 5, "filter": filter},
        user="alice",
        calico=True,
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert named in body["errors"][0]["message"]
    assert body["errors"][0]["path"] == ["account", "holdings"]
    assert await clean.calico.total() == 0


@pytest.mark.parametrize(
    "parts",
    [
        ("Provider", "COINBASE"),
        ("Provider", "not a slug"),
        ("Asset", "CALICO", "BTC,ETH", ""),
        ("Asset", "CARDANO", ""),
        ("Asset", "CARDANO", "not-a-fingerprint"),
        ("Asset", "CARDANO", "asset1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"),
        ("AssetHolding", "CARDANO", cardano_data.COLLECTOR, "x"),
        ("AssetHolding", "CALICO", "alice", "coinbase", "B,TC", "", ""),
        ("Position", "MESH", "alice", "EQUITY", "TSLA", "first"),
        ("Asset", "MESH", "BOND", "X"),
        ("Wallet", "ALGORAND", algod_data.WHALE),
    ],
)
async def test_an_id_that_names_nothing_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes, parts: tuple[str, ...]
) -> None:
    value = _id(*parts)
    body = await graph.query(NODE, {"id": value}, user="alice", calico=True)
    assert body["data"]["node"] is None
    assert codes(body) == ["BAD_USER_INPUT"]
    assert value[:40] in body["errors"][0]["message"]
    assert await _total(clean) == 0


async def test_a_provider_the_registry_lacks_resolves_by_its_slug(graph: GraphClient) -> None:
    data = await graph.data(
        "query($id: ID!) { node(id: $id) { ... on Provider { slug kind } } }",
        {"id": _id("Provider", "newexchange")},
    )
    assert data["node"] == {"slug": "newexchange", "kind": "EXCHANGE"}


async def test_ones_own_custodial_cursor_on_a_public_list_is_another_connection(
    graph: GraphClient, clean: Sandboxes
) -> None:
    walk = await walk_holdings(
        graph,
        "CALICO",
        "alice",
        2,
        user="alice",
        calico=True,
        max_pages=1,
        tolerate=frozenset({"PROVIDER_ERROR"}),
    )
    cursor = walk.pages[0]["pageInfo"]["endCursor"]
    await clean.reset()
    body = await graph.query(
        HOLDINGS_PAGE,
        {"source": "ALGORAND", "address": algod_data.WHALE, "first": 2, "after": cursor},
        user="alice",
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "another connection" in body["errors"][0]["message"]
    assert await clean.algod.total() == 0


async def test_a_long_query_runs_and_keeps_its_error_codes(graph: GraphClient) -> None:
    fields = " ".join(f"p{i}: providers(first: 1) {{ totalCount }}" for i in range(200))
    body = await graph.query("{ " + fields + " }")
    assert len(body["data"]) == 200 and "errors" not in body
    broken = await graph.query("{ " + fields + " nope }")
    assert codes(broken) == ["GRAPHQL_VALIDATION_FAILED"]


MIN_VALUE = """query($a: String!, $m: Decimal!) {
  account(source: ALGORAND, address: $a) {
    holdings(first: 1, filter: {minValueUsd: $m}) { edges { cursor } }
  }
}"""


@pytest.mark.parametrize("value", ["1E+100000000", "-1E+61", "0E-999999999", "1" * 81])
async def test_a_decimal_too_large_to_write_out_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes, value: str
) -> None:
    status, body = await graph.post(MIN_VALUE, {"a": algod_data.SMALL, "m": value})
    assert status == 200
    assert codes(body) == ["BAD_USER_INPUT"]
    message = body["errors"][0]["message"]
    assert len(message) < 300 and ("exponent" in message or "digits" in message), message
    assert await clean.algod.total() == 0


async def test_a_decimal_at_the_bounds_is_taken(graph: GraphClient) -> None:
    body = await graph.query(MIN_VALUE, {"a": algod_data.SMALL, "m": "-1E+60"})
    assert "errors" not in body, body["errors"]
