"""`portfolio`: one answer across alice's custodial accounts and
named on-chain accounts, with exact totals the tests derive from the sandboxes' data
(`portfolio_expected`), and an honest `errors` list when a part is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph import portfolio_expected as expected
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CALICO_ASSETS,
    CARDANOBI_ACCOUNT,
    CARDANOBI_ASSETS,
    MESH_PORTFOLIO,
    codes,
)
from tests.harness import GraphClient, Sandboxes

PORTFOLIO = """
query Portfolio($accounts: [AccountRef!], $includeViewer: Boolean = true) {
  portfolio(accounts: $accounts, includeViewer: $includeViewer) {
    accounts { source address }
    totalValueUsd holdingsCount valuedHoldingsCount unvaluedHoldingsCount asOf
    bySource { source valueUsd holdingsCount valuedHoldingsCount unvaluedHoldingsCount complete }
    byChain { chainId valueUsd holdingsCount valuedHoldingsCount unvaluedHoldingsCount }
    errors { source code message retryAfterSeconds provider account { source address } }
  }
}
"""

ASSET_TOTALS = """
query Totals($accounts: [AccountRef!], $symbols: [String!]) {
  portfolio(accounts: $accounts) {
    byAsset(first: 100, filter: {symbols: $symbols}) {
      totalCount
      nodes {
        key kind symbol caip19 amount priceUsd valueUsd holdingsCount
        asset { kind symbol caip19 }
        holdings { priceUsd valueUsd priceOrigin holding { amount account { source } } }
      }
    }
  }
}
"""

WHALE = {"source": "ALGORAND", "address": algod_data.WHALE}
COLLECTOR = {"source": "CARDANO", "address": cardano_data.COLLECTOR}
ALICE_ONCHAIN = [
    {"source": "ALGORAND", "address": algod_data.SMALL},
    {"source": "CARDANO", "address": cardano_data.SMALL},
]
"""The on-chain accounts alice names beside her custodial ones (SANDBOX.md gives her none of
her own: she names the small Algorand and Cardano accounts)."""

BINANCE = {
    "source": "CALICO",
    "code": "PROVIDER_ERROR",
    "message": "Calico could not read provider 'binance': unauthorized",
    "retryAfterSeconds": None,
    "provider": "binance",
    "account": {"source": "CALICO", "address": "alice"},
}


@pytest_asyncio.fixture(autouse=True)
async def _no_faults(sandboxes: Sandboxes) -> AsyncIterator[None]:
    """Each test runs on sandboxes without faults, and leaves none behind."""
    await sandboxes.reset()
    yield
    await sandboxes.reset()


def _decimal(value: str) -> Decimal:
    return Decimal(value)


def _assert_part(answer: dict[str, Any], part: expected.Part) -> None:
    value = answer.get("totalValueUsd", answer.get("valueUsd"))
    assert _decimal(value) == part.value
    assert answer["valuedHoldingsCount"] == part.valued
    assert answer["unvaluedHoldingsCount"] == part.unvalued
    assert answer["holdingsCount"] == part.count


async def _portfolio(graph: GraphClient, **kw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    variables = {"accounts": kw.pop("accounts", None)}
    if "include_viewer" in kw:
        variables["includeViewer"] = kw.pop("include_viewer")
    body = await graph.query(PORTFOLIO, variables, **kw)
    return body["data"]["portfolio"], body


# --- alice's custodial accounts -----------------------------------------------------------------


async def test_alices_custodial_portfolio_totals_her_calico_and_mesh_holdings(
    graph: GraphClient,
) -> None:
    portfolio, _ = await _portfolio(graph, user="alice", calico=True)
    assert portfolio["accounts"] == [
        {"source": "CALICO", "address": "alice"},
        {"source": "MESH", "address": "alice"},
    ]
    _assert_part(portfolio, expected.combined(expected.calico_part(), expected.mesh_part()))
    by_source = {entry["source"]: entry for entry in portfolio["bySource"]}
    assert list(by_source) == ["CALICO", "MESH"]
    _assert_part(by_source["CALICO"], expected.calico_part())
    _assert_part(by_source["MESH"], expected.mesh_part())


async def test_alices_failing_binance_is_listed_and_marks_calico_incomplete(
    graph: GraphClient,
) -> None:
    portfolio, body = await _portfolio(graph, user="alice", calico=True)
    assert portfolio["errors"] == [BINANCE]
    assert [e["complete"] for e in portfolio["bySource"]] == [False, True]
    # Read as data, the failure is not repeated as a GraphQL error.
    assert "errors" not in body
    # Unread, it is an error on the field, which still answered.
    unread = await graph.query(
        PORTFOLIO.replace(
            "errors { source code message retryAfterSeconds provider account { source address } }",
            "",
        ),
        user="alice",
        calico=True,
    )
    assert unread["data"]["portfolio"]["bySource"] == portfolio["bySource"]
    assert codes(unread) == ["PROVIDER_ERROR"]
    assert unread["errors"][0]["path"] == ["portfolio"]


async def test_as_of_is_the_oldest_read_in_the_portfolio(graph: GraphClient) -> None:
    portfolio, _ = await _portfolio(graph, user="alice", calico=True)
    assert datetime.fromisoformat(portfolio["asOf"]) == expected.calico_oldest_read()


async def test_alice_with_her_onchain_accounts_adds_their_native_coins_at_custodial_prices(
    graph: GraphClient,
) -> None:
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=ALICE_ONCHAIN)
    small_algo = Decimal(algod_data.algo_balances()[algod_data.SMALL]) * expected.MICRO
    small_ada = Decimal(cardano_data.SMALL_ADA) * expected.MICRO
    algorand = expected.Part(
        expected.times(small_algo, expected.calico_price("ALGO")),
        1,
        len(algod_data.account_holdings(algod_data.SMALL)),
    )
    cardano = expected.Part(
        expected.times(small_ada, expected.calico_price("ADA")),
        1,
        len(cardano_data.tokens()[cardano_data.SMALL]),
    )
    _assert_part(
        portfolio,
        expected.combined(expected.calico_part(), expected.mesh_part(), algorand, cardano),
    )
    by_source = {entry["source"]: entry for entry in portfolio["bySource"]}
    assert list(by_source) == ["ALGORAND", "CARDANO", "CALICO", "MESH"]
    _assert_part(by_source["ALGORAND"], algorand)
    _assert_part(by_source["CARDANO"], cardano)


# --- the "done when" case: alice, the whale and the collector -----------------------------------


def _everything(
    *, calico: bool = True, mesh: bool = True, algod: bool = True, cardano: bool = True
) -> expected.Part:
    parts = []
    if calico:
        parts.append(expected.calico_part())
    if mesh:
        parts.append(expected.mesh_part())
    if algod:
        parts.append(expected.whale_part(algo_priced=calico))
    if cardano:
        parts.append(expected.collector_part(ada_priced=calico))
    return expected.combined(*parts)


async def test_alice_the_whale_and_the_collector_total_exactly(
    odata: Sandboxes, graph: GraphClient
) -> None:
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=[WHALE, COLLECTOR])
    assert [a["source"] for a in portfolio["accounts"]] == ["ALGORAND", "CARDANO", "CALICO", "MESH"]
    _assert_part(portfolio, _everything())
    assert portfolio["errors"] == [BINANCE]
    by_source = {entry["source"]: entry for entry in portfolio["bySource"]}
    _assert_part(by_source["ALGORAND"], expected.whale_part(algo_priced=True))
    _assert_part(by_source["CARDANO"], expected.collector_part(ada_priced=True))


async def test_by_chain_splits_the_portfolio_by_where_each_holding_is(
    odata: Sandboxes, graph: GraphClient
) -> None:
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=[WHALE, COLLECTOR])
    chains = {entry["chainId"]: entry for entry in portfolio["byChain"]}
    assert list(chains) == [expected.ALGORAND_CHAIN, expected.CARDANO_CHAIN, "eip155:1", None]
    _assert_part(chains[expected.ALGORAND_CHAIN], expected.whale_part(algo_priced=True))
    _assert_part(chains[expected.CARDANO_CHAIN], expected.collector_part(ada_priced=True))
    # eip155:1: the metamask wallet (Calico chain `eth`) and Mesh's two Ethereum NFTs.
    wallet = [a for a in expected.calico_assets() if a.chain == "eth"]
    nfts = [p for p in expected.mesh_positions() if p.get("blockchain") == "ethereum"]
    assert len(nfts) == 2
    _assert_part(
        chains["eip155:1"],
        expected.Part(
            expected.exact_sum(
                [
                    *(expected.times(a.asset_holdings, a.price_in_usd) for a in wallet),
                    *(p["marketValue"] for p in nfts if isinstance(p["marketValue"], Decimal)),
                ]
            ),
            len(wallet) + len(nfts),
            0,
        ),
    )
    total = sum(entry["holdingsCount"] for entry in portfolio["byChain"])
    assert total == portfolio["holdingsCount"]


# --- each source failing in turn ----------------------------------------------------------------


async def test_algod_failing_leaves_the_other_sources_exact(
    odata: Sandboxes, graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(status=503)
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=[WHALE, COLLECTOR])
    _assert_part(portfolio, _everything(algod=False))
    [failure] = [e for e in portfolio["errors"] if e["source"] == "ALGORAND"]
    assert failure["code"] == "UPSTREAM_UNAVAILABLE"
    assert failure["account"] == {"source": "ALGORAND", "address": algod_data.WHALE}
    by_source = {entry["source"]: entry for entry in portfolio["bySource"]}
    assert by_source["ALGORAND"]["complete"] is False
    assert by_source["ALGORAND"]["holdingsCount"] == 0


async def test_cardanobi_failing_leaves_the_other_sources_exact(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.cardanobi.faults(status=503, path="/api/core")
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=[WHALE, COLLECTOR])
    _assert_part(portfolio, _everything(cardano=False))
    [failure] = [e for e in portfolio["errors"] if e["source"] == "CARDANO"]
    assert failure["code"] == "UPSTREAM_UNAVAILABLE"
    assert failure["account"] == COLLECTOR


async def test_calico_failing_leaves_onchain_coins_unvalued_and_the_rest_exact(
    odata: Sandboxes, graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.calico.faults(status=429, retry_after=7)
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=[WHALE, COLLECTOR])
    # Without Calico no source prices ALGO or ADA: they are counted, never guessed.
    _assert_part(portfolio, _everything(calico=False))
    assert portfolio["errors"] == [
        {
            "source": "CALICO",
            "code": "UPSTREAM_RATE_LIMITED",
            "message": portfolio["errors"][0]["message"],
            "retryAfterSeconds": 7,
            "provider": None,
            "account": {"source": "CALICO", "address": "alice"},
        }
    ]


async def test_mesh_failing_leaves_the_other_sources_exact(
    odata: Sandboxes, graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.mesh.faults(status=503)
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=[WHALE, COLLECTOR])
    _assert_part(portfolio, _everything(mesh=False))
    assert [(e["source"], e["code"]) for e in portfolio["errors"]] == [
        ("CALICO", "PROVIDER_ERROR"),
        ("MESH", "UPSTREAM_UNAVAILABLE"),
    ]


# --- identity and valuation --------------------------------------------------------------------


async def _totals(graph: GraphClient, symbols: list[str], **kw: Any) -> dict[str, dict[str, Any]]:
    """The asset totals of those symbols, by symbol (alice's binance failure is tolerated)."""
    variables = {"accounts": kw.pop("accounts", None), "symbols": symbols}
    body = await graph.query(ASSET_TOTALS, variables, **kw)
    assert set(codes(body)) <= {"PROVIDER_ERROR"}, body.get("errors")
    return {node["symbol"]: node for node in body["data"]["portfolio"]["byAsset"]["nodes"]}


async def test_onchain_algo_and_custodial_algo_are_one_asset_valued_at_the_custodial_price(
    graph: GraphClient,
) -> None:
    totals = await _totals(graph, ["ALGO"], user="alice", calico=True, accounts=[WHALE])
    algo = totals["ALGO"]
    price = expected.calico_price("ALGO")
    custodial = [a.asset_holdings for a in expected.calico_assets() if a.asset_symbol == "ALGO"]
    amount = expected.exact_sum([expected.whale_algo(), *custodial])
    assert algo["key"] == expected.ALGO_CAIP19
    assert algo["kind"] == "NATIVE"
    assert algo["caip19"] == expected.ALGO_CAIP19
    assert algo["asset"]["caip19"] == expected.ALGO_CAIP19  # the on-chain asset represents it
    assert _decimal(algo["amount"]) == amount
    assert _decimal(algo["priceUsd"]) == price
    assert _decimal(algo["valueUsd"]) == expected.times(amount, price)
    origins = {(h["holding"]["account"]["source"], h["priceOrigin"]) for h in algo["holdings"]}
    assert origins == {("ALGORAND", "CARRIED"), ("CALICO", "SOURCE")}


async def test_custodial_eth_from_calico_and_mesh_is_one_native_asset(graph: GraphClient) -> None:
    totals = await _totals(graph, ["ETH"], user="alice", calico=True)
    eth = totals["ETH"]
    assert eth["key"] == expected.ETH_CAIP19
    assert eth["kind"] == "NATIVE"
    assert eth["holdingsCount"] == 4
    assert _decimal(eth["amount"]) == expected.eth_amount()
    calico_values = [
        expected.times(a.asset_holdings, a.price_in_usd)
        for a in expected.calico_assets()
        if a.asset_symbol == "ETH"
    ]
    mesh_values = [p["marketValue"] for p in expected.mesh_positions() if p.get("symbol") == "ETH"]
    value = expected.exact_sum(
        [*calico_values, *(v for v in mesh_values if isinstance(v, Decimal))]
    )
    assert _decimal(eth["valueUsd"]) == value


async def test_an_asa_is_never_merged_with_a_custodial_asset_by_symbol(
    graph: GraphClient,
) -> None:
    # The whale's USDC ASA and alice's custodial USDC share a symbol, not an identity.
    totals_list = (
        await graph.query(
            ASSET_TOTALS, {"accounts": [WHALE], "symbols": ["USDC"]}, user="alice", calico=True
        )
    )["data"]["portfolio"]["byAsset"]["nodes"]
    keys = sorted(node["key"] for node in totals_list)
    assert keys == [
        f"{expected.ALGORAND_CHAIN}/asa:{algod_data.USDC_ID}",
        "custodial:FUNGIBLE:USDC",
    ]
    [asa] = [n for n in totals_list if n["key"].startswith("algorand:")]
    assert asa["valueUsd"] is None and asa["priceUsd"] is None
    assert _decimal(asa["amount"]) == Decimal(algod_data.WHALE_USDC_AMOUNT) * expected.MICRO


# --- who the portfolio is for -------------------------------------------------------------------


async def test_an_anonymous_portfolio_is_the_onchain_part_with_the_viewer_part_unauthenticated(
    graph: GraphClient, clean: Sandboxes
) -> None:
    portfolio, _ = await _portfolio(graph, accounts=[WHALE])
    _assert_part(portfolio, expected.whale_part(algo_priced=False))
    assert [(e["source"], e["code"], e["account"]) for e in portfolio["errors"]] == [
        ("CALICO", "UNAUTHENTICATED", None),
        ("MESH", "UNAUTHENTICATED", None),
    ]
    assert await clean.calico.total() == 0 and await clean.mesh.total() == 0


async def test_without_the_viewer_only_the_named_accounts_are_read(
    odata: Sandboxes, graph: GraphClient, clean: Sandboxes
) -> None:
    portfolio, body = await _portfolio(
        graph, user="alice", calico=True, accounts=[COLLECTOR], include_viewer=False
    )
    _assert_part(portfolio, expected.collector_part(ada_priced=False))
    assert portfolio["errors"] == [] and "errors" not in body
    assert await clean.calico.total() == 0 and await clean.mesh.total() == 0


async def test_a_bad_address_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    bad = algod_data.WHALE[:-1] + ("A" if algod_data.WHALE[-1] != "A" else "B")
    body = await graph.query(
        PORTFOLIO, {"accounts": [WHALE, {"source": "ALGORAND", "address": bad}]}, user="alice"
    )
    assert codes(body) == ["BAD_USER_INPUT"]
    assert bad in body["errors"][0]["message"]
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


async def test_another_users_custodial_account_is_forbidden(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(
        PORTFOLIO, {"accounts": [{"source": "MESH", "address": "bob"}]}, user="alice"
    )
    assert codes(body) == ["FORBIDDEN"]
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


# --- batching ----------------------------------------------------------------------------------


async def test_the_whole_portfolio_reads_each_upstream_page_once(
    odata: Sandboxes, graph: GraphClient, clean: Sandboxes
) -> None:
    accounts = [WHALE, COLLECTOR, WHALE, {"source": "MESH", "address": "alice"}]
    portfolio, _ = await _portfolio(graph, user="alice", calico=True, accounts=accounts)
    assert len(portfolio["accounts"]) == 4  # repeats folded
    # The whale's 2,500 ASAs are three algod pages of 1,000; the collector's 250 tokens three
    # CardanoBI answers of 99 (the third short, so the last); one balance each.
    assert await clean.algod.count(ALGOD_ASSETS) == 3
    assert await clean.algod.count(ALGOD_ACCOUNT) == 1
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 3
    assert await clean.cardanobi.count(CARDANOBI_ACCOUNT) == 1
    assert await clean.calico.count(CALICO_ASSETS) == 1
    assert await clean.mesh.count(MESH_PORTFOLIO) == 1
