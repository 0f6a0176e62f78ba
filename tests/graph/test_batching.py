"""Batching and per-request loaders (issue point 6), proven by the sandboxes' request counts.

Every expectation is a number of upstream requests the sandboxes counted, or data computed from
the sandboxes' data modules; nothing is read from the server's code.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CALICO_ASSETS,
    CARDANOBI_ASSETS,
    CARDANOBI_TOKEN,
    MESH_PORTFOLIO,
    codes,
)
from tests.harness import GraphClient, Sandboxes, SandboxHandle, serve_graph

PROVIDER_ERROR = frozenset({"PROVIDER_ERROR"})
TEN_ADDRESSES = (
    *algod_data.BENCH_ADDRESSES[:7],
    algod_data.WHALE,
    algod_data.SMALL,
    algod_data.EMPTY,
)

ACCOUNTS_HOLDINGS = """
query Accounts($refs: [AccountRef!]!, $first: Int) {
  accounts(refs: $refs) {
    source address
    holdings(first: $first) { nodes { id amount asset { assetId fingerprint } } }
  }
}
"""

TWICE_BY_ALIASES = """
query Twice($source: Source!, $address: String!) {
  a: account(source: $source, address: $address) {
    holdings(first: 3) { nodes { id amount } }
  }
  b: account(source: $source, address: $address) {
    holdings(first: 3) { nodes { id amount } }
  }
}
"""

TWICE_BY_LIST_AND_FIELD = """
query Twice($source: Source!, $address: String!) {
  accounts(refs: [{source: $source, address: $address}]) {
    holdings(first: 3) { nodes { id amount } }
  }
  account(source: $source, address: $address) {
    holdings(first: 3) { nodes { id amount } }
  }
}
"""

VIEWER_PORTFOLIO = """
{
  viewer {
    userId
    accounts {
      source address
      holdings { nodes { id amount asset { symbol } provider { slug } } }
      providers { slug }
      positions { nodes { id kind symbol amount } }
    }
  }
}
"""

CUSTODIAL_HOLDINGS = """
query Custodial($source: Source!, $address: String!) {
  account(source: $source, address: $address) {
    holdings(first: 5) { nodes { id amount asset { symbol } } }
  }
}
"""

CARDANO_HOLDINGS = """
query Cardano($address: String!) {
  account(source: CARDANO, address: $address) {
    holdings(first: 5) { nodes { asset { fingerprint } } }
  }
}
"""


def algorand_refs(addresses: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"source": "ALGORAND", "address": address} for address in addresses]


def first_asset_ids(address: str, first: int) -> list[str | None]:
    """The first `first` holdings' asset ids: ALGO (no asset id) heads every Algorand list."""
    asas = [str(h.asset_id) for h in algod_data.account_holdings(address)]
    return [None, *asas][:first]


def first_fingerprints(address: str, first: int) -> list[str | None]:
    """The first `first` holdings' fingerprints: ADA (no fingerprint) heads the list of every
    stake address CardanoBI knows."""
    tokens = [t.fingerprint for t in cardano_data.tokens()[address]]
    head: list[str | None] = [None] if address in cardano_data.ada_balances() else []
    return [*head, *tokens][:first]


async def test_ten_accounts_cost_ten_algod_requests_sent_concurrently(
    graph: GraphClient, clean: Sandboxes
) -> None:
    assert len(set(TEN_ADDRESSES)) == 10
    await clean.algod.faults(latency_ms=150)
    loop = asyncio.get_running_loop()
    started = loop.time()
    data = await graph.data(ACCOUNTS_HOLDINGS, {"refs": algorand_refs(TEN_ADDRESSES), "first": 5})
    elapsed = loop.time() - started
    assert [account["address"] for account in data["accounts"]] == list(TEN_ADDRESSES)
    for account, address in zip(data["accounts"], TEN_ADDRESSES, strict=True):
        ids = [node["asset"]["assetId"] for node in account["holdings"]["nodes"]]
        assert ids == first_asset_ids(address, 5)
    assert await clean.algod.count(ALGOD_ASSETS) == 10
    assert await clean.algod.count(ALGOD_ACCOUNT) == 10
    # Balances and asset pages of all ten go out together.
    assert (await clean.algod.stats())["max_in_flight"] == 20, f"took {elapsed:.3f} s"


CARDANO_SMALL = ("CARDANO", cardano_data.SMALL, "cardanobi", CARDANOBI_ASSETS)
ALGORAND_SMALL = ("ALGORAND", algod_data.SMALL, "algod", ALGOD_ASSETS)


@pytest.mark.parametrize(
    ("source", "address", "sandbox", "route"),
    [ALGORAND_SMALL, CARDANO_SMALL],
    ids=["algorand", "cardano"],
)
async def test_one_account_asked_under_two_aliases_costs_one_upstream_request(
    graph: GraphClient, clean: Sandboxes, source: str, address: str, sandbox: str, route: str
) -> None:
    data = await graph.data(TWICE_BY_ALIASES, {"source": source, "address": address})
    assert data["a"] == data["b"]
    assert len(data["a"]["holdings"]["nodes"]) == 3
    handle: SandboxHandle = getattr(clean, sandbox)
    assert await handle.count(route) == 1


@pytest.mark.parametrize(
    ("source", "address", "sandbox", "route"),
    [ALGORAND_SMALL, CARDANO_SMALL],
    ids=["algorand", "cardano"],
)
async def test_one_account_in_accounts_and_account_costs_one_upstream_request(
    graph: GraphClient, clean: Sandboxes, source: str, address: str, sandbox: str, route: str
) -> None:
    data = await graph.data(TWICE_BY_LIST_AND_FIELD, {"source": source, "address": address})
    assert data["accounts"] == [data["account"]]
    assert len(data["account"]["holdings"]["nodes"]) == 3
    handle: SandboxHandle = getattr(clean, sandbox)
    assert await handle.count(route) == 1


async def test_a_viewers_whole_portfolio_costs_one_calico_and_one_mesh_request(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(VIEWER_PORTFOLIO, user="alice", calico=True)
    assert set(codes(body)) <= PROVIDER_ERROR, body.get("errors")
    accounts = {account["source"]: account for account in body["data"]["viewer"]["accounts"]}
    assert set(accounts) == {"CALICO", "MESH"}
    calico_symbols = [n["asset"]["symbol"] for n in accounts["CALICO"]["holdings"]["nodes"]]
    assert calico_symbols == [a.asset_symbol for a in calico_data.assets_of("alice")][:20]
    assert {p["slug"] for p in accounts["CALICO"]["providers"]} >= {"coinbase", "kraken"}
    portfolio = mesh_data.portfolio_of("alice")
    assert portfolio is not None
    expected_positions = sum(
        len(portfolio[key])
        for key in ("equityPositions", "cryptocurrencyPositions", "nftPositions")
    )
    assert len(accounts["MESH"]["positions"]["nodes"]) == expected_positions
    assert await clean.calico.count(CALICO_ASSETS) == 1
    assert await clean.calico.total() == 1
    assert await clean.mesh.count(MESH_PORTFOLIO) == 1
    assert await clean.mesh.total() == 1


async def test_the_cardanobi_token_is_fetched_once_across_many_graphql_requests(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    addresses = cardano_data.BENCH_STAKE_ADDRESSES[:10]

    async def read(client: GraphClient, address: str) -> None:
        data = await client.data(CARDANO_HOLDINGS, {"address": address})
        fingerprints = [n["asset"]["fingerprint"] for n in data["account"]["holdings"]["nodes"]]
        assert fingerprints == first_fingerprints(address, 5)

    # The sandbox was reset before this server started, so a token fetched at start-up counts.
    async with serve_graph(clean.settings(), http) as fresh:
        await asyncio.gather(*(read(fresh, address) for address in addresses[:5]))
        for address in addresses[5:]:
            await read(fresh, address)
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 10
    assert await clean.cardanobi.count(CARDANOBI_TOKEN) == 1


@pytest.mark.parametrize(
    ("source", "sandbox", "route"),
    [("CALICO", "calico", CALICO_ASSETS), ("MESH", "mesh", MESH_PORTFOLIO)],
    ids=["calico", "mesh"],
)
async def test_the_same_custodial_query_twice_costs_two_upstream_requests(
    graph: GraphClient, clean: Sandboxes, source: str, sandbox: str, route: str
) -> None:
    variables = {"source": source, "address": "alice"}
    answers: list[Any] = []
    for _ in range(2):
        body = await graph.query(CUSTODIAL_HOLDINGS, variables, user="alice", calico=True)
        assert set(codes(body)) <= PROVIDER_ERROR, body.get("errors")
        answers.append(body["data"])
    assert answers[0] == answers[1]
    assert len(answers[0]["account"]["holdings"]["nodes"]) == 5
    handle: SandboxHandle = getattr(clean, sandbox)
    assert await handle.count(route) == 2


async def test_a_failing_account_fails_only_its_own_slot(
    graph: GraphClient, clean: Sandboxes
) -> None:
    good, failing, other = algod_data.SMALL, algod_data.WHALE, algod_data.BENCH_ADDRESSES[0]
    await clean.algod.faults(status=503, path=failing)
    body = await graph.query(
        ACCOUNTS_HOLDINGS, {"refs": algorand_refs((good, failing, other)), "first": 5}
    )
    accounts = body["data"]["accounts"]
    assert [account["address"] for account in accounts] == [good, failing, other]
    for index, address in ((0, good), (2, other)):
        ids = [node["asset"]["assetId"] for node in accounts[index]["holdings"]["nodes"]]
        assert ids == first_asset_ids(address, 5)
    assert accounts[1]["holdings"]["nodes"] == []
    errors = body.get("errors", [])
    assert codes(body) == ["UPSTREAM_UNAVAILABLE"], errors
    assert errors[0]["path"] == ["accounts", 1, "holdings"]
    assert errors[0]["extensions"]["source"] == "ALGORAND"
    assert await clean.algod.count(ALGOD_ASSETS, "503") >= 1
