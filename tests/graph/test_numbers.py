"""Exact numbers (issue point 7): every quantity, price and value is a string holding exactly
the number the source meant, digit for digit, and no float appears anywhere on the way.

Expected values are written literally from SANDBOX.md or computed from the sandboxes' data sets
with `decimal` at high precision; responses are read with a JSON parser that refuses any
fractional or exponent number, so a float in the response fails the test whatever its value.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, localcontext
from typing import Any

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data
from tests.graph.support import HOLDINGS_PAGE, codes, tokens_after_native, walk_holdings
from tests.harness import GraphClient, Sandboxes

PROVIDER_ERROR = frozenset({"PROVIDER_ERROR"})
PLAIN = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")
"""A decimal as docs/schema.md writes them: an optional minus, digits, an optional fraction that
ends in a non-zero digit (no trailing fractional zeros, no trailing "."); no exponent."""

BIG_TOKEN = next(
    t
    for t in cardano_data.tokens()[cardano_data.COLLECTOR]
    if t.quantity == cardano_data.BIG_QUANTITY
)

POSITIONS = """
query Positions {
  viewer {
    accounts {
      source
      positions(first: 100) {
        nodes {
          kind symbol amount costBasis marketValue lastPrice portfolioPercentage totalReturn
          returnPercentage totalDailyReturn dailyReturnPercentage
          distribution { chainId address amount }
        }
        pageInfo { hasNextPage }
      }
      holdings(first: 100) {
        nodes { amount rawAmount stakedAmount priceUsd valueUsd provider { slug } asset { symbol } }
        pageInfo { hasNextPage }
      }
    }
  }
}
"""

POSITION_NUMBERS = (
    "amount",
    "costBasis",
    "marketValue",
    "lastPrice",
    "portfolioPercentage",
    "totalReturn",
    "returnPercentage",
    "totalDailyReturn",
    "dailyReturnPercentage",
)


def _no_float(text: str) -> Any:
    raise AssertionError(f"a JSON number with a fraction or an exponent in the response: {text}")


async def exact_query(
    graph: GraphClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    user: str | None = None,
    calico: bool | None = None,
) -> tuple[str, dict[str, Any]]:
    """(raw response text, body parsed so that any non-integer JSON number fails)."""
    payload: dict[str, Any] = {"query": query, "variables": variables or {}}
    headers = graph.headers(user, calico)
    async with graph.http.post(graph.url, json=payload, headers=headers) as response:
        assert response.status == 200
        text = await response.text()
    body: dict[str, Any] = json.loads(text, parse_float=_no_float)
    return text, body


def _plain(served: Any) -> None:
    """`served` is a Decimal as docs/schema.md promises it: a string in `PLAIN` form."""
    assert isinstance(served, str), served
    assert PLAIN.fullmatch(served), served


def _exact(served: Any, expected: Decimal | None) -> None:
    """`served` is the string of exactly `expected` in plain notation (null for None)."""
    if expected is None:
        assert served is None
        return
    _plain(served)
    assert Decimal(served) == expected, (served, expected)


HOLDING_NUMBERS = ("amount", "stakedAmount", "priceUsd", "valueUsd")


def _all_plain(nodes: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
    """Every non-null Decimal `fields` of every node is in `PLAIN` form."""
    for node in nodes:
        for field in fields:
            if node[field] is not None:
                _plain(node[field])


async def _whale_holdings(graph: GraphClient, *symbols: str) -> tuple[str, dict[str, Any]]:
    """The raw page of the whale's holdings of `symbols` and those holdings by asset id."""
    text, body = await exact_query(
        graph,
        HOLDINGS_PAGE,
        {
            "source": "ALGORAND",
            "address": algod_data.WHALE,
            "first": 100,
            "filter": {"symbols": list(symbols)},
        },
    )
    assert "errors" not in body, body["errors"]
    holdings = body["data"]["account"]["holdings"]
    assert holdings["pageInfo"]["hasNextPage"] is False
    _all_plain([edge["node"] for edge in holdings["edges"]], HOLDING_NUMBERS)
    return text, {edge["node"]["asset"]["assetId"]: edge["node"] for edge in holdings["edges"]}


async def _alice(graph: GraphClient) -> dict[str, dict[str, Any]]:
    """Alice's custodial accounts by source, read with `exact_query`."""
    _, body = await exact_query(graph, POSITIONS, user="alice", calico=True)
    assert set(codes(body)) <= PROVIDER_ERROR, body["errors"]
    accounts = {account["source"]: account for account in body["data"]["viewer"]["accounts"]}
    for account in accounts.values():
        assert account["positions"]["pageInfo"]["hasNextPage"] is False
        assert account["holdings"]["pageInfo"]["hasNextPage"] is False
        _all_plain(account["holdings"]["nodes"], HOLDING_NUMBERS)
        positions = account["positions"]["nodes"]
        _all_plain(positions, POSITION_NUMBERS)
        _all_plain([part for p in positions for part in p["distribution"]], ("amount",))
    return accounts


# --- Algorand: uint64 base units and up to 19 decimals -----------------------------------------


async def test_the_max_supply_asa_keeps_all_twenty_digits(graph: GraphClient) -> None:
    text, holdings = await _whale_holdings(graph, "MAXS")
    node = holdings[str(algod_data.MAX_ID)]
    assert node["amount"] == "1.8446744073709551615"
    assert node["rawAmount"] == "18446744073709551615"
    assert node["asset"]["decimals"] == 19
    assert re.search(r'"rawAmount"\s*:\s*"18446744073709551615"', text)
    assert re.search(r'"amount"\s*:\s*"1\.8446744073709551615"', text)
    for float_form in ("18446744073709552000", "1.8446744073709552", "e+19", "E+19", "e19"):
        assert float_form not in text


async def test_usdc_on_the_whale_is_scaled_by_its_six_decimals(graph: GraphClient) -> None:
    text, holdings = await _whale_holdings(graph, "USDC")
    node = holdings[str(algod_data.USDC_ID)]
    assert node["amount"] == "1234.56789"
    assert node["rawAmount"] == "1234567890"
    assert node["asset"]["decimals"] == 6
    assert node["asset"]["symbol"] == "USDC"
    assert re.search(r'"amount"\s*:\s*"1234\.56789"', text)


async def test_every_whale_amount_is_its_raw_amount_scaled_exactly(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 100)
    served = {node["asset"]["assetId"]: node for node in tokens_after_native(walk)}
    catalogue = algod_data.assets()
    held = algod_data.account_holdings(algod_data.WHALE)
    assert set(served) == {str(h.asset_id) for h in held}
    for holding in held:
        node = served[str(holding.asset_id)]
        params = catalogue.get(holding.asset_id)
        decimals = params.decimals if params is not None else 0
        assert node["rawAmount"] == str(holding.amount)
        _exact(node["amount"], Decimal(holding.amount).scaleb(-decimals))


async def test_the_frozen_asa_is_reported_frozen(graph: GraphClient) -> None:
    _, holdings = await _whale_holdings(graph, "FRZN", "USDC")
    assert holdings[str(algod_data.FROZEN_ID)]["isFrozen"] is True
    assert holdings[str(algod_data.USDC_ID)]["isFrozen"] is False


async def test_the_destroyed_asa_has_no_decimals_and_counts_in_base_units(
    graph: GraphClient,
) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 100)
    [node] = [n for n in walk.nodes if n["asset"]["assetId"] == str(algod_data.DESTROYED_ID)]
    assert node["asset"]["decimals"] is None
    assert node["asset"]["symbol"] is None
    assert isinstance(node["amount"], str)
    assert node["amount"] == node["rawAmount"] == "0"


# --- Cardano: quantities above 2**53 ------------------------------------------------------------


async def test_the_collectors_big_token_is_exact_to_the_unit(
    odata: Sandboxes, graph: GraphClient
) -> None:
    assert cardano_data.BIG_QUANTITY > 2**53
    walk = await walk_holdings(graph, "CARDANO", cardano_data.COLLECTOR, 100)
    [node] = [n for n in walk.nodes if n["asset"]["fingerprint"] == BIG_TOKEN.fingerprint]
    assert node["amount"] == "45000000000000000"
    assert node["rawAmount"] == "45000000000000000"


async def test_every_collector_quantity_is_exact(odata: Sandboxes, graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "CARDANO", cardano_data.COLLECTOR, 100)
    served = {node["asset"]["fingerprint"]: node for node in tokens_after_native(walk)}
    tokens = cardano_data.tokens()[cardano_data.COLLECTOR]
    assert set(served) == {t.fingerprint for t in tokens}
    for token in tokens:
        node = served[token.fingerprint]
        assert node["rawAmount"] == str(token.quantity)
        _exact(node["amount"], Decimal(token.quantity))


# --- Mesh: doubles exactly as their JSON text ---------------------------------------------------


async def test_mesh_doubles_are_served_as_their_json_text(graph: GraphClient) -> None:
    mesh = (await _alice(graph))["MESH"]
    positions = mesh["positions"]["nodes"]
    eth = [p for p in positions if p["symbol"] == "ETH"]
    [doge] = [p for p in positions if p["symbol"] == "DOGE"]
    assert [p["amount"] for p in eth] == ["0.260325", "0.260325"]
    assert doge["lastPrice"] == "0.05977"
    assert doge["amount"] == "4025.02"
    holdings = {h["asset"]["symbol"]: h for h in mesh["holdings"]["nodes"] if h["asset"]["symbol"]}
    assert holdings["ETH"]["amount"] == "0.260325"
    assert holdings["DOGE"]["amount"] == "4025.02"
    assert holdings["DOGE"]["priceUsd"] == "0.05977"


async def test_mesh_distribution_amounts_are_exact(graph: GraphClient) -> None:
    positions = (await _alice(graph))["MESH"]["positions"]["nodes"]
    distributions = [p["distribution"] for p in positions if p["distribution"]]
    assert distributions == [
        [
            {
                "chainId": "eip155:1",
                "address": mesh_data.ALICE_SELF_CUSTODY_ADDRESS,
                "amount": "0.16",
            },
            {
                "chainId": "eip155:42161",
                "address": mesh_data.ALICE_SELF_CUSTODY_ADDRESS,
                "amount": "0.100325",
            },
        ]
    ]


def _mesh_expected_positions() -> Counter[tuple[str | None, ...]]:
    """Alice's positions as (kind, symbol, every number as its JSON text), from the sandbox."""
    portfolio = mesh_data.portfolio_of(mesh_data.ALICE)
    assert portfolio is not None
    rows: Counter[tuple[str | None, ...]] = Counter()
    lists = (
        ("EQUITY", "equityPositions", "symbol"),
        ("CRYPTOCURRENCY", "cryptocurrencyPositions", "symbol"),
        ("NFT", "nftPositions", "contractSymbol"),
    )
    for kind, key, symbol in lists:
        for position in portfolio[key]:
            numbers = tuple(
                None if position.get(field) is None else str(position[field])
                for field in POSITION_NUMBERS
            )
            rows[(kind, position[symbol], *numbers)] += 1
    return rows


async def test_every_mesh_position_number_is_its_json_text(graph: GraphClient) -> None:
    positions = (await _alice(graph))["MESH"]["positions"]["nodes"]
    served = Counter(
        (p["kind"], p["symbol"], *(p[field] for field in POSITION_NUMBERS)) for p in positions
    )
    assert served == _mesh_expected_positions()


# --- Calico: JSON numbers or strings, both exact ------------------------------------------------


def _calico_served(accounts: dict[str, dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    nodes = accounts["CALICO"]["holdings"]["nodes"]
    served = {(n["provider"]["slug"], n["asset"]["symbol"]): n for n in nodes}
    assert len(served) == len(nodes)
    return served


async def test_calico_numbers_are_exact_whether_written_as_json_numbers_or_strings(
    graph: GraphClient,
) -> None:
    expected = calico_data.assets_of("alice")
    assert {a.numbers_as_strings for a in expected} == {True, False}
    served = _calico_served(await _alice(graph))
    assert set(served) == {(a.provider_id, a.asset_symbol) for a in expected}
    for asset in expected:
        node = served[(asset.provider_id, asset.asset_symbol)]
        _exact(node["amount"], asset.asset_holdings)
        _exact(node["stakedAmount"], asset.staked_holdings)
        _exact(node["priceUsd"], asset.price_in_usd)
        assert node["rawAmount"] is None


async def test_calico_keeps_twenty_significant_digits_written_as_a_json_number(
    graph: GraphClient,
) -> None:
    [metamask_eth] = [
        a
        for a in calico_data.assets_of("alice")
        if (a.provider_id, a.asset_symbol) == ("metamask", "ETH")
    ]
    assert metamask_eth.numbers_as_strings is False
    node = _calico_served(await _alice(graph))[("metamask", "ETH")]
    assert node["amount"] == "12.345678901234567891"
    assert node["priceUsd"] == "3456.789012345678901"


async def test_calico_value_is_amount_times_price_computed_exactly(graph: GraphClient) -> None:
    served = _calico_served(await _alice(graph))
    with localcontext() as context:
        context.prec = 200
        for asset in calico_data.assets_of("alice"):
            node = served[(asset.provider_id, asset.asset_symbol)]
            _exact(node["valueUsd"], asset.asset_holdings * asset.price_in_usd)
        eth = served[("metamask", "ETH")]
        assert Decimal(eth["valueUsd"]) == Decimal("12.345678901234567891") * Decimal(
            "3456.789012345678901"
        )


async def test_calico_trailing_fractional_zeros_are_not_served(graph: GraphClient) -> None:
    [metamask_usdc] = [
        a
        for a in calico_data.assets_of("alice")
        if (a.provider_id, a.asset_symbol) == ("metamask", "USDC")
    ]
    assert metamask_usdc.numbers_as_strings is True
    assert str(metamask_usdc.asset_holdings) == "2500.50"
    node = _calico_served(await _alice(graph))[("metamask", "USDC")]
    assert node["amount"] == "2500.5"
    assert node["priceUsd"] == "1.0001"
    assert node["valueUsd"] == "2500.75005"
