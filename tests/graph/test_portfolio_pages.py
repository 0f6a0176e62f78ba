"""`Portfolio.byAsset`: orders with a unique tie-breaker so walks never
skip or repeat, filters by symbol, kind, minimum value and zero amounts, and cursors bound to
their order, filter, accounts and user. Expected sets come from the sandboxes' data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph import portfolio_expected as expected
from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes

FIXTURES = [HealthCheck.function_scoped_fixture]
SMALL_ACCOUNTS = [
    {"source": "ALGORAND", "address": algod_data.SMALL},
    {"source": "CARDANO", "address": cardano_data.SMALL},
]
NATIVE_SYMBOLS = {"ALGO", "ADA", "ETH", "BTC"}

BY_ASSET = """
query ByAsset($accounts: [AccountRef!], $includeViewer: Boolean = true, $first: Int,
              $after: String, $orderBy: AssetOrder = VALUE_DESC, $filter: AssetTotalFilter) {
  portfolio(accounts: $accounts, includeViewer: $includeViewer) {
    byAsset(first: $first, after: $after, orderBy: $orderBy, filter: $filter) {
      totalCount
      edges { cursor node { key kind symbol amount valueUsd } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


@pytest_asyncio.fixture(autouse=True)
async def _no_faults(sandboxes: Sandboxes) -> AsyncIterator[None]:
    """Each test runs on sandboxes without faults, and leaves none behind."""
    await sandboxes.reset()
    yield
    await sandboxes.reset()


async def _page(graph: GraphClient, variables: dict[str, Any], **who: Any) -> dict[str, Any]:
    body = await graph.query(BY_ASSET, variables, **who)
    assert set(codes(body)) <= {"PROVIDER_ERROR"}, body.get("errors")
    page: dict[str, Any] = body["data"]["portfolio"]["byAsset"]
    return page


async def _walk(
    graph: GraphClient, first: int, order: str, filter: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every page of alice's portfolio with the small accounts, checking each page's shape."""
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(500):
        variables = {
            "accounts": SMALL_ACCOUNTS,
            "first": first,
            "after": after,
            "orderBy": order,
            "filter": filter,
        }
        page = await _page(graph, variables, user="alice", calico=True)
        pages.append(page)
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        if not info["hasNextPage"]:
            break
        assert len(page["edges"]) == first
        after = info["endCursor"]
    else:
        raise AssertionError("the walk did not end")
    assert {page["totalCount"] for page in pages} == {sum(len(p["edges"]) for p in pages)}
    return [edge["node"] for page in pages for edge in page["edges"]]


def _expected_identity_count() -> int:
    """Distinct assets of alice (Calico, Mesh) and the small accounts, by docs/portfolio.md's rules:
    custodial coins by symbol (the native ones one with the on-chain ALGO and ADA), Mesh's
    equities and NFTs apart, and each on-chain token by its own id."""
    fungible = {a.asset_symbol for a in expected.calico_assets()}
    fungible |= {str(p["symbol"]) for p in expected.mesh_list("cryptocurrencyPositions")}
    equities = {str(p["symbol"]) for p in expected.mesh_list("equityPositions")}
    nfts = expected.mesh_list("nftPositions")
    assert {"ALGO", "ADA"} <= fungible  # the small accounts' ALGO and ADA join these
    asas = len(algod_data.account_holdings(algod_data.SMALL))
    tokens = len(cardano_data.tokens()[cardano_data.SMALL])
    return len(fungible) + len(equities) + len(nfts) + asas + tokens


def _assert_ordered(nodes: list[dict[str, Any]], order: str) -> None:
    keys = [node["key"] for node in nodes]
    assert len(set(keys)) == len(keys), "an asset was listed twice"
    if order == "SYMBOL_ASC":
        named = [n for n in nodes if n["symbol"]]
        assert nodes[: len(named)] == named, "assets without a symbol come last"
        sort_keys = [(n["symbol"].casefold(), n["symbol"], n["key"]) for n in named]
        assert sort_keys == sorted(sort_keys)
        return
    valued = [n for n in nodes if n["valueUsd"] is not None]
    assert nodes[: len(valued)] == valued, "unvalued assets come last"
    values = [(Decimal(n["valueUsd"]), n["key"]) for n in valued]
    if order == "VALUE_DESC":
        assert values == sorted(values, key=lambda v: (-v[0], v[1]))
    else:
        assert values == sorted(values)
    unvalued = [n["key"] for n in nodes[len(valued) :]]
    assert unvalued == sorted(unvalued), "ties fall back to the identity key"


@pytest.mark.parametrize("order", ["VALUE_DESC", "VALUE_ASC", "SYMBOL_ASC"])
@settings(max_examples=3, deadline=None, suppress_health_check=FIXTURES)
@given(first=st.integers(min_value=2, max_value=40))
@example(first=7)
async def test_walking_by_asset_yields_every_asset_once_in_order(
    graph: GraphClient, order: str, first: int
) -> None:
    nodes = await _walk(graph, first, order)
    assert len(nodes) == _expected_identity_count()
    _assert_ordered(nodes, order)


async def test_a_walk_one_asset_at_a_time_matches_one_whole_page(graph: GraphClient) -> None:
    whole = await _page(
        graph, {"accounts": SMALL_ACCOUNTS, "first": 100}, user="alice", calico=True
    )
    walked = await _walk(graph, 1, "VALUE_DESC")
    assert [n["key"] for n in walked] == [e["node"]["key"] for e in whole["edges"]]


async def test_filtering_by_kind_keeps_only_that_kind(graph: GraphClient) -> None:
    native = await _walk(graph, 50, "SYMBOL_ASC", {"kinds": ["NATIVE"]})
    calico_symbols = {a.asset_symbol for a in expected.calico_assets()}
    assert {n["symbol"] for n in native} == NATIVE_SYMBOLS & calico_symbols
    equity = await _walk(graph, 50, "SYMBOL_ASC", {"kinds": ["EQUITY"]})
    assert [n["symbol"] for n in equity] == ["AAPL", "TSLA"]


async def test_filtering_by_minimum_value_keeps_assets_worth_that_much(
    graph: GraphClient,
) -> None:
    threshold = Decimal("100000")
    # Custodial only: an asset is its symbol, worth its Calico and Mesh values together.
    worth: dict[str, Decimal] = {}
    for a in expected.calico_assets():
        value = expected.times(a.asset_holdings, a.price_in_usd)
        worth[a.asset_symbol] = expected.exact_sum([worth.get(a.asset_symbol, Decimal(0)), value])
    for p in expected.mesh_positions():
        symbol = p.get("symbol") or p.get("contractSymbol")
        value = p["marketValue"]
        assert isinstance(symbol, str) and isinstance(value, Decimal)
        worth[symbol] = expected.exact_sum([worth.get(symbol, Decimal(0)), value])
    wanted = sorted(symbol for symbol, value in worth.items() if value >= threshold)
    assert 0 < len(wanted) < len(worth)
    page = await _page(
        graph,
        {"first": 100, "orderBy": "SYMBOL_ASC", "filter": {"minValueUsd": str(threshold)}},
        user="alice",
        calico=True,
    )
    served = [edge["node"] for edge in page["edges"]]
    assert sorted(n["symbol"] for n in served) == wanted
    assert all(Decimal(n["valueUsd"]) == worth[n["symbol"]] for n in served)


async def test_hiding_zero_balances_drops_assets_whose_amount_is_zero(
    graph: GraphClient,
) -> None:
    held = algod_data.account_holdings(algod_data.WHALE)
    nonzero = sum(1 for h in held if h.amount > 0)
    assert nonzero < len(held)
    variables: dict[str, Any] = {
        "accounts": [{"source": "ALGORAND", "address": algod_data.WHALE}],
        "includeViewer": False,
        "first": 1,
    }
    everything = await _page(graph, variables)
    assert everything["totalCount"] == 1 + len(held)  # ALGO, then each ASA
    variables["filter"] = {"hideZero": True}
    shown = await _page(graph, variables)
    assert shown["totalCount"] == 1 + nonzero


async def test_a_cursor_resumes_only_its_own_order_and_filter(
    graph: GraphClient, clean: Sandboxes
) -> None:
    first = await _page(graph, {"accounts": SMALL_ACCOUNTS, "first": 2}, user="alice", calico=True)
    cursor = first["pageInfo"]["endCursor"]
    for change in (
        {"orderBy": "SYMBOL_ASC"},
        {"filter": {"kinds": ["NATIVE"]}},
        {"accounts": None},
    ):
        variables = {"accounts": SMALL_ACCOUNTS, "first": 2, "after": cursor, **change}
        body = await graph.query(BY_ASSET, variables, user="alice", calico=True)
        assert "BAD_USER_INPUT" in codes(body), change
        assert body["data"] is None


async def test_another_users_cursor_is_forbidden(graph: GraphClient) -> None:
    first = await _page(graph, {"first": 1}, user="bob", calico=True)
    variables = {"first": 1, "after": first["pageInfo"]["endCursor"]}
    body = await graph.query(BY_ASSET, variables, user="alice", calico=True)
    assert "FORBIDDEN" in codes(body)


async def test_first_out_of_range_is_refused(graph: GraphClient) -> None:
    body = await graph.query(BY_ASSET, {"first": 0}, user="alice", calico=True)
    assert "BAD_USER_INPUT" in codes(body)
    assert "first: 0" in " ".join(e["message"] for e in body["errors"])
