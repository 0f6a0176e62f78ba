"""Connections over native pagination: every item once, stable order, exact `hasNextPage`,
no empty page unless the list is, whatever `first` is and however it differs from the
upstream's page size. Expected lists come from the sandboxes' data sets, not from the server."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CARDANOBI_ASSETS,
    assert_well_formed_walk,
    codes,
    tokens_after_native,
    walk_holdings,
)
from tests.harness import GraphClient, Sandboxes

FIXTURES = [HealthCheck.function_scoped_fixture]
PROVIDER_ERROR = frozenset({"PROVIDER_ERROR"})
WHALE_IDS = [str(h.asset_id) for h in algod_data.account_holdings(algod_data.WHALE)]
COLLECTOR_FINGERPRINTS = sorted(
    t.fingerprint for t in cardano_data.tokens()[cardano_data.COLLECTOR]
)
ALICE_KEYS = [(a.provider_id, a.asset_symbol) for a in calico_data.assets_of("alice")]
ALGOD_UNKNOWN = "4EWWI7JNVXSFN4YRYA5DMN53U7NUHYC5YSMF67FAXDNRLDWDIWGM5DQGBA"


def test_reference_lists_have_their_documented_sizes() -> None:
    assert len(WHALE_IDS) == 2500
    assert len(COLLECTOR_FINGERPRINTS) == 250
    assert len(ALICE_KEYS) == 75


# The whale starts at 13: at first = 1 a walk is 2,500 requests (about 10 s), and the walking
# code is the same for every `first`; the collector's and alice's walks cover 1 and up.
@settings(max_examples=6, deadline=None, suppress_health_check=FIXTURES)
@given(first=st.integers(min_value=13, max_value=100))
@example(first=100)
@example(first=99)
async def test_walking_the_whale_yields_each_asa_once_in_order(
    graph: GraphClient, first: int
) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, first)
    assert_well_formed_walk(walk, first)
    assert [node["asset"]["assetId"] for node in tokens_after_native(walk)] == WHALE_IDS
    assert {page["totalCount"] for page in walk.pages} == {1 + len(WHALE_IDS)}


@settings(max_examples=10, deadline=None, suppress_health_check=FIXTURES)
@given(first=st.integers(min_value=1, max_value=100))
@example(first=1)
@example(first=50)
@example(first=100)
async def test_walking_the_collector_yields_each_token_once_in_order(
    odata: Sandboxes, graph: GraphClient, first: int
) -> None:
    walk = await walk_holdings(graph, "CARDANO", cardano_data.COLLECTOR, first)
    assert_well_formed_walk(walk, first)
    tokens = tokens_after_native(walk)
    assert [node["asset"]["fingerprint"] for node in tokens] == COLLECTOR_FINGERPRINTS


@settings(max_examples=12, deadline=None, suppress_health_check=FIXTURES)
@given(first=st.integers(min_value=1, max_value=100))
@example(first=1)
@example(first=75)
@example(first=74)
async def test_walking_alices_calico_account_yields_each_asset_once_in_order(
    graph: GraphClient, first: int
) -> None:
    walk = await walk_holdings(
        graph, "CALICO", "alice", first, user="alice", calico=True, tolerate=PROVIDER_ERROR
    )
    assert_well_formed_walk(walk, first)
    assert [(n["provider"]["slug"], n["asset"]["symbol"]) for n in walk.nodes] == ALICE_KEYS


async def test_an_account_without_tokens_lists_only_its_native_balance(graph: GraphClient) -> None:
    for source, address, raw in (
        ("ALGORAND", algod_data.EMPTY, algod_data.EMPTY_ALGO),
        ("CARDANO", cardano_data.EMPTY, cardano_data.EMPTY_ADA),
    ):
        walk = await walk_holdings(graph, source, address, 10)
        assert_well_formed_walk(walk, 10)
        assert [node["rawAmount"] for node in walk.nodes] == [str(raw)]
        assert tokens_after_native(walk) == []


async def test_a_stake_address_cardanobi_does_not_know_is_one_empty_page(
    graph: GraphClient,
) -> None:
    # CardanoBI answers 404 for the account and for its tokens: no ADA holding is guessed.
    unknown = stake_address(bytes(28), CARDANO_NETWORKS["mainnet"])
    assert unknown not in cardano_data.ada_balances()
    walk = await walk_holdings(graph, "CARDANO", unknown, 10)
    assert_well_formed_walk(walk, 10)
    assert walk.nodes == []


async def test_an_algorand_address_algod_never_saw_holds_zero_algo(graph: GraphClient) -> None:
    # algod answers any valid address, with amount 0 for one it never saw.
    assert ALGOD_UNKNOWN not in algod_data.algo_balances()
    walk = await walk_holdings(graph, "ALGORAND", ALGOD_UNKNOWN, 10)
    assert [(n["asset"]["kind"], n["rawAmount"]) for n in walk.nodes] == [("NATIVE", "0")]


async def test_one_page_of_the_whale_costs_one_algod_assets_request(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # algod is asked `limit = first + 1`: the extra holding tells `hasNextPage`, so each page
    # of the whale (2,500 ASAs, so every one of these 3 pages has a next) is one request; each
    # page (its own GraphQL request) also reads the account's balance and asset count, once.
    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 100, max_pages=3)
    assert len(walk.pages) == 3
    assert all(page["pageInfo"]["hasNextPage"] for page in walk.pages)
    assert [node["asset"]["assetId"] for node in tokens_after_native(walk)] == WHALE_IDS[:299]
    assert await clean.algod.count(ALGOD_ASSETS) == 3
    assert await clean.algod.count(ALGOD_ACCOUNT) == 3


async def test_filtering_by_symbol_walks_only_matching_holdings(graph: GraphClient) -> None:
    expected = [
        str(h.asset_id)
        for h in algod_data.account_holdings(algod_data.WHALE)
        if h.asset_id in algod_data.assets()
        and (algod_data.assets()[h.asset_id].unit_name or "").upper() == "USDC"
    ]
    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 1, filter={"symbols": ["usdc"]})
    assert_well_formed_walk(walk, 1)
    assert [node["asset"]["assetId"] for node in walk.nodes] == expected
    assert str(algod_data.USDC_ID) in expected


async def test_first_out_of_range_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    from tests.graph.support import HOLDINGS_PAGE

    for first in (0, 1000, -3):
        body = await graph.query(
            HOLDINGS_PAGE, {"source": "ALGORAND", "address": algod_data.WHALE, "first": first}
        )
        assert codes(body) == ["BAD_USER_INPUT"]
        assert str(first) in body["errors"][0]["message"]
        assert body["errors"][0]["path"] == ["account", "holdings"]
    assert await clean.algod.total() == 0


async def test_a_tampered_cursor_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    from tests.graph.support import HOLDINGS_PAGE

    first_page = await walk_holdings(graph, "CARDANO", cardano_data.SMALL, 2, max_pages=1)
    cursor = first_page.pages[0]["pageInfo"]["endCursor"]
    await clean.reset()
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")
    for bad in (tampered, "not-a-cursor", ""):
        body = await graph.query(
            HOLDINGS_PAGE,
            {"source": "CARDANO", "address": cardano_data.SMALL, "first": 2, "after": bad},
        )
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert "cursor" in body["errors"][0]["message"]
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 0


async def test_a_cursor_of_another_connection_is_refused(
    graph: GraphClient, clean: Sandboxes
) -> None:
    from tests.graph.support import HOLDINGS_PAGE

    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 3, max_pages=1)
    cursor = walk.pages[0]["pageInfo"]["endCursor"]
    await clean.reset()
    body = await graph.query(
        HOLDINGS_PAGE,
        {"source": "ALGORAND", "address": algod_data.SMALL, "first": 3, "after": cursor},
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "another connection" in body["errors"][0]["message"]
    assert await clean.algod.total() == 0
