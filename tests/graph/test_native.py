"""Native balances: ALGO and ADA head an on-chain account's holdings as
`NATIVE` holdings with CAIP-19 `…/slip44:283` and `…/slip44:1815`, read through batched,
deduplicated loaders (proven by the sandboxes' request counts), paged, filtered and resolvable
by id like every other holding. Expected values come from the sandboxes' data modules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CARDANOBI_ACCOUNT,
    CARDANOBI_ASSETS,
    HOLDINGS_PAGE,
    assert_well_formed_walk,
    walk_holdings,
)
from tests.harness import GraphClient, Sandboxes

ALGORAND_CHAIN = "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"
CARDANO_CHAIN = "cip34:1-764824073"
FIXTURES = [HealthCheck.function_scoped_fixture]

NATIVE_FIELDS = """
query Native($source: Source!, $address: String!) {
  account(source: $source, address: $address) {
    holdings(first: 1) {
      nodes {
        id amount rawAmount round fetchedAt walletAddress provider { slug }
        asset { id kind symbol name decimals chainId caip19 assetId fingerprint }
      }
    }
  }
}
"""

MANY_ACCOUNTS = """
query Many($refs: [AccountRef!]!, $source: Source!, $address: String!) {
  accounts(refs: $refs) { holdings(first: 2) { nodes { id amount } } }
  account(source: $source, address: $address) { holdings(first: 1) { nodes { id amount } } }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on AssetHolding { amount rawAmount asset { id kind symbol caip19 } }
    ... on Asset { kind symbol decimals caip19 }
  }
}
"""


def _whole(raw: int) -> Decimal:
    return Decimal(raw).scaleb(-6)


async def _head(graph: GraphClient, source: str, address: str) -> dict[str, Any]:
    data = await graph.data(NATIVE_FIELDS, {"source": source, "address": address})
    [node] = data["account"]["holdings"]["nodes"]
    assert isinstance(node, dict)
    return node


async def test_algo_heads_an_algorand_account_as_a_native_holding(graph: GraphClient) -> None:
    before = datetime.now(UTC)
    node = await _head(graph, "ALGORAND", algod_data.WHALE)
    assert node["rawAmount"] == str(algod_data.WHALE_ALGO)
    assert Decimal(node["amount"]) == _whole(algod_data.WHALE_ALGO)
    assert node["asset"] == {
        "id": node["asset"]["id"],
        "kind": "NATIVE",
        "symbol": "ALGO",
        "name": "Algo",
        "decimals": 6,
        "chainId": ALGORAND_CHAIN,
        "caip19": f"{ALGORAND_CHAIN}/slip44:283",
        "assetId": None,
        "fingerprint": None,
    }
    assert node["provider"] == {"slug": "algorand"}
    assert node["walletAddress"] == algod_data.WHALE
    assert node["round"] == str(algod_data.ROUND)
    fetched = datetime.fromisoformat(node["fetchedAt"])
    assert before - timedelta(seconds=1) <= fetched <= datetime.now(UTC)


async def test_ada_heads_a_cardano_account_as_a_native_holding(
    odata: Sandboxes, graph: GraphClient
) -> None:
    node = await _head(graph, "CARDANO", cardano_data.COLLECTOR)
    assert node["rawAmount"] == str(cardano_data.COLLECTOR_ADA)
    assert Decimal(node["amount"]) == _whole(cardano_data.COLLECTOR_ADA)
    assert node["asset"]["kind"] == "NATIVE"
    assert node["asset"]["symbol"] == "ADA"
    assert node["asset"]["decimals"] == 6
    assert node["asset"]["caip19"] == f"{CARDANO_CHAIN}/slip44:1815"
    assert node["provider"] == {"slug": "cardano"}
    assert node["round"] is None


async def test_every_asa_holding_says_the_algod_round_it_was_read_at(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.SMALL, 10)
    assert {node["asset"]["kind"] for node in walk.nodes[1:]} <= {"FUNGIBLE", "NFT"}
    assert {node["round"] for node in walk.nodes} == {str(algod_data.ROUND)}


async def test_each_distinct_algorand_account_costs_one_balance_request(
    graph: GraphClient, clean: Sandboxes
) -> None:
    whale, small, empty = algod_data.WHALE, algod_data.SMALL, algod_data.EMPTY
    refs = [{"source": "ALGORAND", "address": a} for a in (whale, small, whale, empty)]
    variables = {"refs": refs, "source": "ALGORAND", "address": small}
    data = await graph.data(MANY_ACCOUNTS, variables)
    heads = [account["holdings"]["nodes"][0]["amount"] for account in data["accounts"]]
    expected = [algod_data.WHALE_ALGO, algod_data.algo_balances()[small], algod_data.WHALE_ALGO]
    assert [Decimal(a) for a in heads[:3]] == [_whole(raw) for raw in expected]
    assert await clean.algod.count(ALGOD_ACCOUNT) == 3
    # small is asked with two limits in one batch: one request, at the wider limit.
    assert await clean.algod.count(ALGOD_ASSETS) == 3


async def test_each_distinct_cardano_account_costs_one_balance_request(
    odata: Sandboxes, graph: GraphClient, clean: Sandboxes
) -> None:
    collector, small = cardano_data.COLLECTOR, cardano_data.SMALL
    refs = [{"source": "CARDANO", "address": a} for a in (collector, small, collector)]
    variables = {"refs": refs, "source": "CARDANO", "address": small}
    data = await graph.data(MANY_ACCOUNTS, variables)
    heads = [Decimal(account["holdings"]["nodes"][0]["amount"]) for account in data["accounts"]]
    balances = cardano_data.ada_balances()
    assert heads == [_whole(balances[a]) for a in (collector, small, collector)]
    assert await clean.cardanobi.count(CARDANOBI_ACCOUNT) == 2
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 2


async def test_a_cursor_after_the_native_holding_resumes_at_the_first_token(
    graph: GraphClient,
) -> None:
    cases = (
        (
            "ALGORAND",
            algod_data.SMALL,
            "assetId",
            str(algod_data.account_holdings(algod_data.SMALL)[0].asset_id),
        ),
        (
            "CARDANO",
            cardano_data.SMALL,
            "fingerprint",
            cardano_data.tokens()[cardano_data.SMALL][0].fingerprint,
        ),
    )
    for source, address, field, first_token in cases:
        variables: dict[str, Any] = {"source": source, "address": address, "first": 1}
        head = (await graph.data(HOLDINGS_PAGE, variables))["account"]["holdings"]
        assert head["edges"][0]["node"]["asset"]["kind"] == "NATIVE"
        assert head["pageInfo"]["hasNextPage"] is True
        variables["after"] = head["pageInfo"]["endCursor"]
        following = (await graph.data(HOLDINGS_PAGE, variables))["account"]["holdings"]
        assert following["edges"][0]["node"]["asset"][field] == first_token


@settings(max_examples=8, deadline=None, suppress_health_check=FIXTURES)
@given(first=st.integers(min_value=1, max_value=7))
async def test_walking_small_accounts_yields_the_native_holding_then_each_token_once(
    graph: GraphClient, first: int
) -> None:
    algorand = await walk_holdings(graph, "ALGORAND", algod_data.SMALL, first)
    assert_well_formed_walk(algorand, first)
    asas = [str(h.asset_id) for h in algod_data.account_holdings(algod_data.SMALL)]
    assert [n["asset"]["assetId"] for n in algorand.nodes] == [None, *asas]
    assert {page["totalCount"] for page in algorand.pages} == {1 + len(asas)}
    cardano = await walk_holdings(graph, "CARDANO", cardano_data.SMALL, first)
    assert_well_formed_walk(cardano, first)
    tokens = [t.fingerprint for t in cardano_data.tokens()[cardano_data.SMALL]]
    assert [n["asset"]["fingerprint"] for n in cardano.nodes] == [None, *tokens]


async def test_a_symbol_filter_can_match_the_native_holding(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.SMALL, 5, filter={"symbols": ["algo"]})
    assert [n["asset"]["kind"] for n in walk.nodes] == ["NATIVE"]
    ada = await walk_holdings(graph, "CARDANO", cardano_data.SMALL, 5, filter={"symbols": ["ADA"]})
    assert [n["asset"]["symbol"] for n in ada.nodes] == ["ADA"]


async def test_a_symbol_filter_can_exclude_the_native_holding(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.SMALL, 5, filter={"symbols": ["USDC"]})
    assert [n["asset"]["assetId"] for n in walk.nodes] == [str(algod_data.USDC_ID)]


async def test_native_holdings_and_assets_round_trip_through_node(graph: GraphClient) -> None:
    for source, address in (
        ("ALGORAND", algod_data.SMALL),
        ("CARDANO", cardano_data.SMALL),
    ):
        head = await _head(graph, source, address)
        holding = (await graph.data(NODE, {"id": head["id"]}))["node"]
        assert holding["id"] == head["id"]
        assert holding["amount"] == head["amount"]
        assert holding["asset"]["caip19"] == head["asset"]["caip19"]
        asset = (await graph.data(NODE, {"id": head["asset"]["id"]}))["node"]
        assert asset == {
            "id": head["asset"]["id"],
            "kind": "NATIVE",
            "symbol": head["asset"]["symbol"],
            "decimals": 6,
            "caip19": head["asset"]["caip19"],
        }


async def test_a_filtered_algorand_list_does_not_claim_a_total_count(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.SMALL, 5, filter={"symbols": ["ALGO"]})
    assert [page["totalCount"] for page in walk.pages] == [None]
