"""Finding 5 (the estimate; cutting a response during execution is the HTTP layer's): leaf
fields carry a cost, the fields of a response are estimated and limited up front, and
introspection is costed. Before: leaves cost nothing, so 200 aliased amounts on each of 10,000
holdings were accepted; 250 aliased `__schema` dumps answered 15 MB."""

from __future__ import annotations

import aiohttp
import pytest
from graphql import get_introspection_query

from sources.algod import sandbox_data as algod_data
from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.hostile.support import attack, refused_by

DUMP = (
    "fragment Dump on __Schema { types { name description fields { name description "
    "args { name description type { name } } type { name kind ofType { name kind } } } } }"
)


async def test_250_aliased_schema_dumps_are_refused(graph: GraphClient, clean: Sandboxes) -> None:
    query = "{ " + " ".join(f"s{i}: __schema {{ ...Dump }}" for i in range(250)) + " } " + DUMP
    outcome = await attack(graph, query)
    message = await refused_by(outcome, "QUERY_TOO_COMPLEX", clean)
    assert "over the limit MAX_QUERY_COST=100000" in message, message


@pytest.mark.parametrize(
    "options",
    [
        {},
        {
            "specified_by_url": True,
            "directive_is_repeatable": True,
            "schema_description": True,
            "input_value_deprecation": True,
        },
    ],
    ids=["default", "every-option"],
)
async def test_graphiqls_introspection_query_still_passes(
    graph: GraphClient, options: dict[str, bool]
) -> None:
    data = await graph.data(get_introspection_query(descriptions=True, **options))
    assert data["__schema"]["queryType"]["name"] == "Query"


def leaves(n: int) -> str:
    return " ".join(f"x{i}: amount" for i in range(n))


async def test_every_ten_leaves_of_an_object_cost_as_much_as_one_object(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    query = (
        "query($a: String!) { account(source: ALGORAND, address: $a) "
        "{ holdings(first: 50) { nodes { %s } } } }"
    )
    async with serve_graph(sandboxes.settings(max_query_cost=100), http) as tight:
        # account, holdings, 50 nodes: 52; with 9 leaves each, still 52.
        assert await tight.data(query % leaves(9), {"a": algod_data.WHALE})
        await clean.reset()
        body = await tight.query(query % leaves(20), {"a": algod_data.WHALE})  # 52 + 50 * 2
    assert codes(body) == ["QUERY_TOO_COMPLEX"], body
    assert (
        "estimated cost is 152, over the limit MAX_QUERY_COST=100" in body["errors"][0]["message"]
    )
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


async def test_a_response_of_too_many_fields_is_refused_up_front(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # Within the cost (100 x (1 + 1 + 100 x 4) = 40,200: nine leaves ride free on each object)
    # but 100 x 100 x 39 fields: over MAX_RESPONSE_FIELDS.
    node = (
        f"{leaves(9)} asset {{ {leaves(9).replace('amount', 'symbol')} }} "
        f"provider {{ {leaves(9).replace('amount', 'slug')} }} "
        f"account {{ {leaves(9).replace('amount', 'address')} }}"
    )
    query = (
        "query($refs: [AccountRef!]!) { accounts(refs: $refs) { holdings(first: 100) "
        f"{{ nodes {{ {node} }} }} }} }}"
    )
    refs = [{"source": "ALGORAND", "address": algod_data.WHALE}] * 100
    outcome = await attack(graph, query, {"refs": refs})
    message = await refused_by(outcome, "QUERY_TOO_COMPLEX", clean)
    expected = 1 + 100 * (1 + 1 + 100 * 39)  # accounts, each holdings and nodes, the nodes'
    assert f"estimated number of response fields is {expected}, over the limit " in message
    assert "MAX_RESPONSE_FIELDS=300000" in message, message
