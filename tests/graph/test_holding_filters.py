"""`HoldingFilter`'s kinds, minimum USD value and zero hiding on every
source's `holdings`, walked with small pages; expectations from the sandboxes' data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph import portfolio_expected as expected
from tests.graph.support import assert_well_formed_walk, walk_holdings
from tests.harness import GraphClient, Sandboxes

PROVIDER_ERROR = frozenset({"PROVIDER_ERROR"})


@pytest_asyncio.fixture(autouse=True)
async def _no_faults(sandboxes: Sandboxes) -> AsyncIterator[None]:
    """Each test runs on sandboxes without faults, and leaves none behind."""
    await sandboxes.reset()
    yield
    await sandboxes.reset()


async def test_hiding_zero_balances_skips_the_whales_empty_asas(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 100, filter={"hideZero": True})
    assert_well_formed_walk(walk, 100)
    nonzero = [str(h.asset_id) for h in algod_data.account_holdings(algod_data.WHALE) if h.amount]
    assert [n["asset"]["assetId"] for n in walk.nodes] == [None, *nonzero]


async def test_filtering_by_kind_keeps_the_native_holding_only(
    odata: Sandboxes, graph: GraphClient
) -> None:
    walk = await walk_holdings(
        graph, "CARDANO", cardano_data.COLLECTOR, 5, filter={"kinds": ["NATIVE"]}
    )
    assert [(n["asset"]["symbol"], n["rawAmount"]) for n in walk.nodes] == [
        ("ADA", str(cardano_data.COLLECTOR_ADA))
    ]


async def test_filtering_by_kind_keeps_the_small_accounts_nft(graph: GraphClient) -> None:
    catalogue = algod_data.assets()
    nfts = [
        str(h.asset_id)
        for h in algod_data.account_holdings(algod_data.SMALL)
        if catalogue[h.asset_id].total == 10 ** catalogue[h.asset_id].decimals
    ]
    walk = await walk_holdings(graph, "ALGORAND", algod_data.SMALL, 2, filter={"kinds": ["NFT"]})
    assert [n["asset"]["assetId"] for n in walk.nodes] == nfts
    assert len(nfts) == 1


async def test_a_minimum_value_walks_alices_calico_assets_worth_that_much(
    graph: GraphClient,
) -> None:
    threshold = Decimal(1_000_000)
    wanted = [
        (a.provider_id, a.asset_symbol)
        for a in expected.calico_assets()
        if expected.times(a.asset_holdings, a.price_in_usd) >= threshold
    ]
    assert 0 < len(wanted) < 75
    walk = await walk_holdings(
        graph,
        "CALICO",
        "alice",
        3,
        user="alice",
        calico=True,
        filter={"minValueUsd": str(threshold)},
        tolerate=PROVIDER_ERROR,
    )
    assert_well_formed_walk(walk, 3)
    assert [(n["provider"]["slug"], n["asset"]["symbol"]) for n in walk.nodes] == wanted


async def test_a_minimum_value_keeps_mesh_positions_worth_that_much(graph: GraphClient) -> None:
    threshold = Decimal(200)
    wanted = [
        p.get("symbol") or p.get("contractSymbol")
        for p in expected.mesh_positions()
        if isinstance(p["marketValue"], Decimal) and p["marketValue"] >= threshold
    ]
    walk = await walk_holdings(
        graph, "MESH", "alice", 2, user="alice", filter={"minValueUsd": str(threshold)}
    )
    assert [n["asset"]["symbol"] for n in walk.nodes] == wanted


async def test_unvalued_holdings_never_pass_a_minimum_value(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.SMALL, 5, filter={"minValueUsd": "0"})
    assert walk.nodes == []
