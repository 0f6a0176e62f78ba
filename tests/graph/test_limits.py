"""Hostile queries: depth, aliases, tokens and cost over the limits are refused
with `QUERY_TOO_COMPLEX` before any upstream call; too many ids or refs are `BAD_USER_INPUT`.

A server with tight limits (`TIGHT`) keeps the hostile documents small; the default server
(`graph`) must let through GraphiQL's introspection query and Apollo's `_service { sdl }`.
Expected figures are computed here from the documents, by the rule docs/limits.md states.
Cursors tampered, from another connection or of another user are refused by tests elsewhere:
`test_pagination.py::test_a_tampered_cursor_is_refused_before_any_upstream_call`,
`test_pagination.py::test_a_cursor_of_another_connection_is_refused`,
`test_identity.py::test_another_users_holdings_cursor_is_forbidden`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from graphql import get_introspection_query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.algod import sandbox_data as algod_data
from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes, serve_graph

TIGHT = {
    "max_query_depth": 6,
    "max_query_aliases": 4,
    "max_query_tokens": 300,
    "max_query_cost": 500,
    "max_ids": 20,
}

HOLDINGS_OF_REFS = """
query Many($refs: [AccountRef!]!, $first: Int) {
  accounts(refs: $refs) { holdings(first: $first) { edges { node { asset { id } } } } }
}
"""


def refs(n: int) -> list[dict[str, str]]:
    return [{"source": "ALGORAND", "address": algod_data.EMPTY}] * n


def holdings_cost(n: int, first: int) -> int:
    """`accounts` and `holdings` (n objects each), `edges`, `node`, `asset` (n * first each)."""
    return 2 * n + 3 * n * first


DEPTH_6 = """
query Deep($a: String!) {
  account(source: ALGORAND, address: $a) { holdings(first: 1) { edges { node { asset { id } } } } }
}
"""
"""account > holdings > edges > node > asset > id: 6 fields deep."""

DEPTH_6_BY_FRAGMENTS = """
query Deep($a: String!) { account(source: ALGORAND, address: $a) { ...H } }
fragment H on Account { holdings(first: 1) { edges { node { ...N } } } }
fragment N on AssetHolding { asset { id } }
"""


def only_refusal(body: dict[str, Any]) -> str:
    """The message of the response's one error, which must be QUERY_TOO_COMPLEX, with no data."""
    assert codes(body) == ["QUERY_TOO_COMPLEX"], body
    assert body.get("data") is None, body
    message: str = body["errors"][0]["message"]
    return message


@pytest_asyncio.fixture(scope="module")
async def tight(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    async with serve_graph(sandboxes.settings(**TIGHT), http) as client:
        yield client


# --- depth ----------------------------------------------------------------------------------


async def test_a_query_at_the_depth_limit_runs(tight: GraphClient) -> None:
    data = await tight.data(DEPTH_6, {"a": algod_data.SMALL})
    assert data["account"]["holdings"]["edges"]


@pytest.mark.parametrize("query", [DEPTH_6, DEPTH_6_BY_FRAGMENTS], ids=["fields", "fragments"])
async def test_a_query_over_the_depth_limit_is_refused_before_any_upstream_call(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes, query: str
) -> None:
    async with serve_graph(sandboxes.settings(max_query_depth=5), http) as shallow:
        body = await shallow.query(query, {"a": algod_data.SMALL})
    message = only_refusal(body)
    assert "MAX_QUERY_DEPTH=5" in message and re.search(r"\bdepth is 6\b", message), message
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


async def test_graphiqls_introspection_query_passes_the_default_limits(
    graph: GraphClient,
) -> None:
    data = await graph.data(get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"


async def test_apollos_service_sdl_query_passes_the_default_limits(graph: GraphClient) -> None:
    data = await graph.data("query __ApolloGetServiceDefinition__ { _service { sdl } }")
    assert "type Query" in data["_service"]["sdl"]


# --- aliases --------------------------------------------------------------------------------


def aliased(n: int) -> str:
    return "{ " + " ".join(f"a{i}: providers(first: 1) {{ totalCount }}" for i in range(n)) + " }"


async def test_aliases_up_to_the_limit_run(tight: GraphClient) -> None:
    data = await tight.data(aliased(4))
    assert sorted(data) == ["a0", "a1", "a2", "a3"]


async def test_aliases_over_the_limit_are_refused(tight: GraphClient) -> None:
    message = only_refusal(await tight.query(aliased(5)))
    assert "aliases is 5" in message and "MAX_QUERY_ALIASES=4" in message, message


# --- tokens ---------------------------------------------------------------------------------


async def test_a_document_over_the_token_limit_is_refused_before_any_upstream_call(
    tight: GraphClient, clean: Sandboxes
) -> None:
    # Each selected `id` is one token: 300 of them are past the limit whatever surrounds them.
    query = "query($a: String!) { account(source: ALGORAND, address: $a) { "
    query += "id " * 300 + "} }"
    message = only_refusal(await tight.query(query, {"a": algod_data.SMALL}))
    assert "more than 300 tokens" in message and "MAX_QUERY_TOKENS=300" in message, message
    assert await clean.algod.total() == 0


async def test_a_document_within_the_token_limit_parses(tight: GraphClient) -> None:
    data = await tight.data("{ " + "__typename " * 250 + "}")
    assert data == {"__typename": "Query"}


# --- cost -----------------------------------------------------------------------------------


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(n=st.integers(1, 20), first=st.integers(1, 12))
async def test_cost_counts_first_through_connections_and_the_refs_given_in_variables(
    tight: GraphClient, sandboxes: Sandboxes, n: int, first: int
) -> None:
    await sandboxes.reset()
    body = await tight.query(HOLDINGS_OF_REFS, {"refs": refs(n), "first": first})
    cost = holdings_cost(n, first)
    if cost > TIGHT["max_query_cost"]:
        message = only_refusal(body)
        assert f"estimated cost is {cost}," in message and "MAX_QUERY_COST=500" in message
        assert await sandboxes.algod.total() == 0
    else:
        assert "errors" not in body, body["errors"]
        assert len(body["data"]["accounts"]) == n


async def test_cost_counts_the_default_first_when_none_is_given(tight: GraphClient) -> None:
    # 8 accounts cost 496 with 20 per page, within 500; 9 cost 558.
    body = await tight.query(HOLDINGS_OF_REFS, {"refs": refs(9)})
    assert f"estimated cost is {holdings_cost(9, 20)}," in only_refusal(body)


async def test_cost_counts_aliases_of_the_same_field(tight: GraphClient, clean: Sandboxes) -> None:
    one = "holdings(first: 100) { edges { node { id } } }"
    query = (
        "query($a: String!) { "
        + " ".join(
            f"{alias}: account(source: ALGORAND, address: $a) {{ {one} }}" for alias in "xyz"
        )
        + " }"
    )
    expected = 3 * (1 + 1 + 2 * 100)  # account, holdings; edges and node 100 times each
    message = only_refusal(await tight.query(query, {"a": algod_data.SMALL}))
    assert f"estimated cost is {expected}," in message, message
    assert await clean.algod.total() == 0


async def test_nodes_cost_counts_the_ids_given(tight: GraphClient) -> None:
    query = """
    query($ids: [ID!]!) {
      nodes(ids: $ids) { ... on Account { holdings(first: 12) { edges { node { id } } } } }
    }
    """
    expected = 20 + 20 + 2 * 20 * 12  # nodes and holdings 20 each; edges and node 12 times more
    message = only_refusal(await tight.query(query, {"ids": ["nope"] * 20}))
    assert f"estimated cost is {expected}," in message, message


async def test_entities_cost_counts_the_representations_given(
    tight: GraphClient, clean: Sandboxes
) -> None:
    query = """
    query($r: [_Any!]!) {
      _entities(representations: $r) {
        ... on Account { holdings(first: 12) { edges { node { id } } } }
      }
    }
    """
    representation = {"__typename": "Account", "source": "ALGORAND", "address": algod_data.SMALL}
    expected = 20 + 20 + 2 * 20 * 12  # _entities and holdings 20 each; edges and node x 12
    message = only_refusal(await tight.query(query, {"r": [representation] * 20}))
    assert f"estimated cost is {expected}," in message, message
    assert await clean.algod.total() == 0


# --- list sizes -----------------------------------------------------------------------------


async def test_more_refs_than_max_ids_are_bad_input_before_any_upstream_call(
    tight: GraphClient, clean: Sandboxes
) -> None:
    body = await tight.query(HOLDINGS_OF_REFS, {"refs": refs(21), "first": 1})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert "21" in body["errors"][0]["message"]
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


async def test_more_ids_than_max_ids_are_bad_input_before_any_upstream_call(
    tight: GraphClient, clean: Sandboxes
) -> None:
    body = await tight.query("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ["x"] * 21})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert "21" in body["errors"][0]["message"]
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


PORTFOLIO_TOTAL = """query($refs: [AccountRef!]) {
  %s
}"""


async def test_portfolio_costs_every_holding_of_each_account_it_reads(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # Each account (the 3 named, and the viewer's CALICO and MESH) counts as a whole account:
    # PORTFOLIO_MAX_HOLDINGS (10,000) objects. 3 aliases: 3 * (1 + 5 * 10,000), over 100,000.
    refs = [
        {"source": "ALGORAND", "address": address} for address in algod_data.BENCH_ADDRESSES[:3]
    ]
    fields = " ".join(f"p{i}: portfolio(accounts: $refs) {{ totalValueUsd }}" for i in range(3))
    body = await graph.query(PORTFOLIO_TOTAL % fields, {"refs": refs})
    expected = 3 * (1 + 5 * 10_000)
    message = only_refusal(body)
    assert f"estimated cost is {expected}," in message, message
    assert await clean.algod.total() == 0


async def test_one_portfolio_of_a_few_accounts_is_within_the_default_cost(
    graph: GraphClient,
) -> None:
    refs = [{"source": "ALGORAND", "address": algod_data.SMALL}]
    body = await graph.query(
        PORTFOLIO_TOTAL % "portfolio(accounts: $refs, includeViewer: false) { totalValueUsd }",
        {"refs": refs},
    )
    assert "errors" not in body, body.get("errors")
    assert body["data"]["portfolio"]["totalValueUsd"] is not None
