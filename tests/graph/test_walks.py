"""Walks with small pages over filtered lists and Mesh's in-memory lists: every matching item
once, in the source's order, with exact `hasNextPage` and no empty page, and cursors that resume
only the list (and filter) that issued them. Expected lists come from the sandboxes' data sets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data
from tests.graph.support import (
    HOLDINGS_PAGE,
    assert_well_formed_walk,
    codes,
    walk_holdings,
    walk_positions,
)
from tests.harness import GraphClient, Sandboxes

PROVIDER_ERROR = frozenset({"PROVIDER_ERROR"})

# --- expectations from the sandboxes' data sets -------------------------------------------------

COLLECTOR_NAMES = ("FXL", "lp-07", "Café", "Art Edition", "WHALE")
"""Token names the collector holds, spread over CardanoBI's three pages; "lp-07" is "LP-07"."""

ALICE_SYMBOLS = ("ETH", "ADA", "USDC")
"""Symbols alice holds at Calico: ETH on coinbase and metamask, ADA on kraken, USDC on metamask."""

WHALE_UNIT_NAMES = ("SIQ", "MAXS")
"""Unit names of the whale's ASAs: three SIQ tokens, and MAXS near the end of the list."""

MESH_LISTS = (
    ("EQUITY", "equityPositions", "symbol"),
    ("CRYPTOCURRENCY", "cryptocurrencyPositions", "symbol"),
    ("NFT", "nftPositions", "contractSymbol"),
)
"""(kind, the portfolio's list, the key of its symbol), in the order the graph lists them."""


def _collector_expected() -> list[str]:
    wanted = {name.casefold() for name in COLLECTOR_NAMES}
    return [
        t.fingerprint
        for t in cardano_data.tokens()[cardano_data.COLLECTOR]
        if t.name.casefold() in wanted
    ]


def _alice_calico(keep: Any) -> list[tuple[str, str]]:
    return [(a.provider_id, a.asset_symbol) for a in calico_data.assets_of("alice") if keep(a)]


def _whale_expected() -> list[str]:
    catalogue = algod_data.assets()
    wanted = {name.casefold() for name in WHALE_UNIT_NAMES}
    return [
        str(h.asset_id)
        for h in algod_data.account_holdings(algod_data.WHALE)
        if h.asset_id in catalogue and (catalogue[h.asset_id].unit_name or "").casefold() in wanted
    ]


def _mesh_expected(kind: str | None = None) -> list[tuple[str, Decimal]]:
    """Alice's Mesh positions as (symbol, amount): equities, cryptocurrencies, NFTs."""
    portfolio = mesh_data.portfolio_of(mesh_data.ALICE)
    assert portfolio is not None
    return [
        (position[symbol], Decimal(position["amount"]))
        for list_kind, key, symbol in MESH_LISTS
        if kind is None or kind == list_kind
        for position in portfolio[key]
    ]


def test_the_expected_lists_are_what_the_walks_need() -> None:
    assert len(_collector_expected()) == len(COLLECTOR_NAMES)
    assert _alice_calico(lambda a: a.asset_symbol in ALICE_SYMBOLS) == [
        ("coinbase", "ETH"),
        ("kraken", "ADA"),
        ("metamask", "ETH"),
        ("metamask", "USDC"),
    ]
    assert len(_alice_calico(lambda a: a.provider_id == "kraken")) == 30
    whale = _whale_expected()
    assert len(whale) == 4 and whale[-1] == str(algod_data.MAX_ID)
    assert [symbol for symbol, _ in _mesh_expected()] == [
        "TSLA",
        "AAPL",
        "ETH",
        "DOGE",
        "ETH",
        "SPUNK",
        "SBADGE",
    ]


# --- filtered walks with small pages ------------------------------------------------------------


@pytest.mark.parametrize("first", [1, 3])
async def test_the_collector_filtered_by_token_names_walks_only_those_tokens(
    odata: Sandboxes, graph: GraphClient, first: int
) -> None:
    walk = await walk_holdings(
        graph,
        "CARDANO",
        cardano_data.COLLECTOR,
        first,
        filter={"symbols": list(COLLECTOR_NAMES)},
    )
    assert_well_formed_walk(walk, first)
    assert [node["asset"]["fingerprint"] for node in walk.nodes] == _collector_expected()


async def test_alices_calico_account_filtered_by_provider_walks_only_that_provider(
    graph: GraphClient,
) -> None:
    walk = await walk_holdings(
        graph, "CALICO", "alice", 7, user="alice", calico=True, filter={"providers": ["kraken"]}
    )
    assert_well_formed_walk(walk, 7)
    served = [(n["provider"]["slug"], n["asset"]["symbol"]) for n in walk.nodes]
    assert served == _alice_calico(lambda a: a.provider_id == "kraken")


async def test_alices_calico_account_filtered_by_symbols_walks_only_those_symbols(
    graph: GraphClient,
) -> None:
    walk = await walk_holdings(
        graph,
        "CALICO",
        "alice",
        1,
        user="alice",
        calico=True,
        filter={"symbols": list(ALICE_SYMBOLS)},
        tolerate=PROVIDER_ERROR,
    )
    assert_well_formed_walk(walk, 1)
    served = [(n["provider"]["slug"], n["asset"]["symbol"]) for n in walk.nodes]
    assert served == _alice_calico(lambda a: a.asset_symbol in ALICE_SYMBOLS)


async def test_the_whale_filtered_by_unit_names_walks_only_those_asas(graph: GraphClient) -> None:
    walk = await walk_holdings(
        graph, "ALGORAND", algod_data.WHALE, 1, filter={"symbols": list(WHALE_UNIT_NAMES)}
    )
    assert_well_formed_walk(walk, 1)
    assert [node["asset"]["assetId"] for node in walk.nodes] == _whale_expected()


# --- Mesh: the portfolio sliced in memory -------------------------------------------------------


@pytest.mark.parametrize("first", [1, 2, 3])
async def test_alices_mesh_holdings_walk_in_portfolio_order(graph: GraphClient, first: int) -> None:
    walk = await walk_holdings(graph, "MESH", "alice", first, user="alice")
    assert_well_formed_walk(walk, first)
    served = [(n["asset"]["symbol"], Decimal(n["amount"])) for n in walk.nodes]
    expected = _mesh_expected()
    assert served == expected
    assert {page["totalCount"] for page in walk.pages} == {len(expected)}


@pytest.mark.parametrize("kind", ["EQUITY", "CRYPTOCURRENCY", "NFT", None])
async def test_alices_mesh_positions_walk_one_at_a_time(
    graph: GraphClient, kind: str | None
) -> None:
    walk = await walk_positions(graph, "alice", 1, user="alice", kind=kind)
    assert_well_formed_walk(walk, 1)
    served = [(n["symbol"], Decimal(n["amount"])) for n in walk.nodes]
    expected = _mesh_expected(kind)
    assert served == expected
    assert {n["kind"] for n in walk.nodes} == ({kind} if kind else {k for k, _, _ in MESH_LISTS})
    assert {page["totalCount"] for page in walk.pages} == {len(expected)}


# --- cursors bound to their filter --------------------------------------------------------------

INCOMPLETE = frozenset({"HOLDINGS_INCOMPLETE"})


async def test_a_filtered_walks_cursor_is_refused_on_the_unfiltered_list(
    graph: GraphClient, clean: Sandboxes
) -> None:
    lists: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        ("ALGORAND", algod_data.WHALE, {"symbols": list(WHALE_UNIT_NAMES)}, {}),
        ("CARDANO", cardano_data.COLLECTOR, {"symbols": list(COLLECTOR_NAMES)}, {}),
        ("CALICO", "alice", {"providers": ["kraken"]}, {"user": "alice", "calico": True}),
    ]
    for source, address, filter, who in lists:
        # The collector's list is cut at CardanoBI's 100 (the sandbox's default): said so.
        walk = await walk_holdings(
            graph, source, address, 1, filter=filter, max_pages=1, tolerate=INCOMPLETE, **who
        )
        cursor = walk.pages[0]["pageInfo"]["endCursor"]
        assert cursor is not None
        await clean.reset()
        variables = {"source": source, "address": address, "first": 1, "after": cursor}
        body = await graph.query(HOLDINGS_PAGE, variables, **who)
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert "another connection" in body["errors"][0]["message"]
        assert body["errors"][0]["path"] == ["account", "holdings"]
        assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0], source
