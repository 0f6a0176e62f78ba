"""A real Apollo Gateway composes the holdings graph with another subgraph and crosses into it.

`node/gateway.mjs` starts a `users` subgraph (whose `User.wallets` are our `Account`s, keyed by
`source address`) and `@apollo/gateway` on `@apollo/server`, which composes the supergraph from
both subgraphs' SDL (IntrospectAndCompose). Queries go to the gateway; the answers must be the
sandboxes' data, and our subgraph must have been reached through `_entities`, batched.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.ecosystem.composition import USERS, ask, expected_user
from tests.ecosystem.node_tools import node_service
from tests.graph.support import ALGOD_ASSETS, CARDANOBI_ASSETS
from tests.harness import GraphClient, Sandboxes


@pytest_asyncio.fixture(scope="module")
async def gateway(graph: GraphClient) -> AsyncIterator[str]:
    async with node_service("gateway.mjs", graph.url, json.dumps(USERS)) as urls:
        yield urls["gateway"]


@pytest.mark.parametrize("user", list(USERS))
async def test_a_query_through_the_gateway_crosses_into_our_subgraph_with_exact_data(
    graph: GraphClient, gateway: str, user: str
) -> None:
    answer = await ask(graph, gateway, user)
    assert "errors" not in answer, answer
    assert answer["data"] == expected_user(user)


async def test_the_gateway_reads_each_wallet_once_through_our_loaders(
    graph: GraphClient, gateway: str, clean: Sandboxes
) -> None:
    answer = await ask(graph, gateway, "ada")
    assert "errors" not in answer, answer
    assert await clean.algod.count(ALGOD_ASSETS) == 1
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 1
