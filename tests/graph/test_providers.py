"""`providers`: the registry as a connection, and each account's providers."""

from __future__ import annotations

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.harness import GraphClient

PROVIDERS = """query($first: Int, $after: String, $source: Source) {
  providers(first: $first, after: $after, source: $source) {
    edges { cursor node { id slug name kind sources } }
    pageInfo { hasNextPage endCursor } totalCount } }"""


async def _walk(graph: GraphClient, first: int, source: str | None = None) -> list[dict]:
    nodes, after = [], None
    while True:
        data = await graph.data(PROVIDERS, {"first": first, "after": after, "source": source})
        page = data["providers"]
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            assert len(nodes) == page["totalCount"]
            return nodes
        after = page["pageInfo"]["endCursor"]


async def test_the_providers_walk_yields_each_provider_once(graph: GraphClient) -> None:
    whole = await _walk(graph, 100)
    stepped = await _walk(graph, 3)
    assert [p["slug"] for p in stepped] == [p["slug"] for p in whole]
    assert len({p["slug"] for p in whole}) == len(whole)
    slugs = {p["slug"] for p in whole}
    assert {
        "algorand",
        "cardano",
        "coinbase",
        "kraken",
        "binance",
        "metamask",
        "robinhood",
    } <= slugs


async def test_providers_of_one_source_are_those_reachable_through_it(graph: GraphClient) -> None:
    calico = await _walk(graph, 10, "CALICO")
    assert calico and all("CALICO" in p["sources"] for p in calico)
    chains = await _walk(graph, 10, "ALGORAND")
    assert [(p["slug"], p["kind"]) for p in chains] == [("algorand", "BLOCKCHAIN")]


async def test_an_on_chain_account_is_kept_by_its_chain(graph: GraphClient) -> None:
    query = """query($a: String!, $c: String!) {
      a: account(source: ALGORAND, address: $a) { providers { slug kind } }
      c: account(source: CARDANO, address: $c) { providers { slug kind } } }"""
    data = await graph.data(query, {"a": algod_data.WHALE, "c": cardano_data.COLLECTOR})
    assert data["a"]["providers"] == [{"slug": "algorand", "kind": "BLOCKCHAIN"}]
    assert data["c"]["providers"] == [{"slug": "cardano", "kind": "BLOCKCHAIN"}]


async def test_a_calico_account_lists_every_connected_provider_including_failing_ones(
    graph: GraphClient,
) -> None:
    query = '{ account(source: CALICO, address: "alice") { providers { slug } } }'
    data = await graph.data(query, user="alice", calico=True)
    expected = {a.provider_id for a in calico_data.assets_of("alice")}
    expected |= set(calico_data.FAILING_PROVIDERS["alice"])
    assert [p["slug"] for p in data["account"]["providers"]] == sorted(expected)
