"""Finding 4: the estimate counts the upstream calls a request implies, and a request over
MAX_UPSTREAM_CALLS is refused before any. Before: 110 aliases of 100 addresses (cost 33,000,
within the limits) made 22,000 algod requests.

The estimate is an upper bound: each case below runs the query and checks that the sandboxes
served no more requests than the estimate said (and that the estimate is the figure the rule in
`schema/limits/upstream.py` gives).
"""

from __future__ import annotations

import hashlib
from typing import Any

import aiohttp
import pytest
from graphql import parse

from resolvers.context import UpstreamCallBudget
from schema import schema
from schema.limits import measure
from sources.algod import sandbox_data as algod_data
from sources.algod.address import encode_address
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import CARDANOBI_TOKEN, codes
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.hostile.support import attack, default_options, refused_by


def addresses(n: int) -> list[dict[str, str]]:
    return [
        {"source": "ALGORAND", "address": encode_address(hashlib.sha256(b"a%d" % i).digest())}
        for i in range(n)
    ]


def aliased_accounts(n: int) -> str:
    fields = " ".join(
        f"a{i}: accounts(refs: $refs) {{ holdings(first: 1) {{ nodes {{ amount }} }} }}"
        for i in range(n)
    )
    return "query($refs: [AccountRef!]!) { " + fields + " }"


async def test_110_aliases_of_100_addresses_are_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    outcome = await attack(graph, aliased_accounts(110), {"refs": addresses(100)})
    message = await refused_by(outcome, "QUERY_TOO_COMPLEX", clean)
    # 110 x 100 accounts x (balance + one assets page).
    assert "upstream calls is 22000, over the limit MAX_UPSTREAM_CALLS=1000" in message, message


async def test_the_variables_list_lengths_count(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    async with serve_graph(sandboxes.settings(max_upstream_calls=10), http) as budget:
        data = await budget.data(aliased_accounts(1), {"refs": addresses(5)})  # 10 calls
        assert len(data["a0"]) == 5
        assert await clean.algod.total() == 10
        await clean.reset()
        body = await budget.query(aliased_accounts(1), {"refs": addresses(6)})
    assert codes(body) == ["QUERY_TOO_COMPLEX"], body
    assert (
        "upstream calls is 12, over the limit MAX_UPSTREAM_CALLS=10" in body["errors"][0]["message"]
    )
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


HOLDINGS = """query($source: Source!, $address: String!, $first: Int, $filter: HoldingFilter) {
  account(source: $source, address: $address) {
    holdings(first: $first, filter: $filter) { nodes { amount } }
  }
}"""
ENTITIES = """query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Account { holdings(first: 5) { nodes { amount } } } }
}"""
PORTFOLIO = """query($refs: [AccountRef!]) {
  portfolio(accounts: $refs, includeViewer: false) { holdingsCount }
}"""
VIEWER = """{ viewer { accounts { holdings(first: 20) { nodes { amount } } providers { slug }
  positions(first: 5) { nodes { amount } } } } }"""

CASES: list[tuple[str, str, dict[str, Any], int]] = [
    # (name, query, variables, estimate)
    ("algod page", HOLDINGS, {"source": "ALGORAND", "address": algod_data.WHALE, "first": 100}, 2),
    (
        "algod filtered",
        HOLDINGS,
        {
            "source": "ALGORAND",
            "address": algod_data.WHALE,
            "first": 5,
            "filter": {"symbols": ["USDC"]},
        },
        2 + 50,  # and the request's scan budget
    ),
    (
        "cardano page",
        HOLDINGS,
        {"source": "CARDANO", "address": cardano_data.COLLECTOR, "first": 100},
        3,  # the balance, and 100 tokens at 99 an answer
    ),
    (
        "entities",
        ENTITIES,
        {
            "r": [
                {"__typename": "Account", "source": "ALGORAND", "address": a["address"]}
                for a in addresses(50) * 2
            ]
        },
        100 * 2,
    ),
    (
        "portfolio",
        PORTFOLIO,
        {"refs": [{"source": "ALGORAND", "address": algod_data.WHALE}]},
        1 + 10,  # the balance, and 10,000 holdings in pages of 1,000
    ),
    # CALICO: one page of 100 for 21 holdings, every page (100) for providers; MESH: the
    # portfolio for holdings and again for positions (the loader reads it once).
    ("viewer", VIEWER, {}, 2 * (1 + 100 + 1)),
]


@pytest.mark.parametrize(
    ("query", "variables", "estimate"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_the_estimate_bounds_what_the_request_sends(
    graph: GraphClient, odata: Sandboxes, query: str, variables: dict[str, Any], estimate: int
) -> None:
    # In the OData world CardanoBI pages the collector: the dearest way to read it.
    clean = odata
    figures = measure(schema._schema, parse(query), None, variables, default_options())
    assert figures is not None
    assert figures.upstream_calls == estimate
    body = await graph.query(query, variables, user="alice", calico=True)
    assert set(codes(body)) <= {"PROVIDER_ERROR"}, body
    sent = sum([await s.total() for s in clean.all()])
    # The CardanoBI token is fetched once per process, not per request.
    sent -= await clean.cardanobi.count(CARDANOBI_TOKEN)
    assert 0 < sent <= estimate


def test_the_budget_left_for_the_upstream_layer_spends_up_to_its_limit() -> None:
    budget = UpstreamCallBudget(limit=3, estimated=2)
    assert budget.take() and budget.take(2)
    assert not budget.take()
    assert budget.spent == 3
