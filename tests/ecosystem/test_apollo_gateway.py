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

from tests.ecosystem.composition import (
    ALL_USERS,
    PARTIAL,
    PARTIAL_UNREAD,
    ROOT_FAILURE,
    USERS,
    WALLET_FAILURE,
    apollo_with_defaults,
    ask,
    ask_partial,
    check_partial,
    expected_user,
    failure_codes,
)
from tests.ecosystem.node_tools import node_service
from tests.graph.support import ALGOD_ASSETS, CARDANOBI_ASSETS
from tests.harness import GraphClient, Sandboxes


@pytest_asyncio.fixture(scope="module")
async def gateway(graph: GraphClient) -> AsyncIterator[str]:
    async with node_service("gateway.mjs", graph.url, json.dumps(ALL_USERS)) as urls:
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


async def test_alices_binance_failure_comes_through_the_gateway_as_data(
    graph: GraphClient, gateway: str
) -> None:
    # At the root and across subgraphs (her wallet, an `_entities` fetch), with no GraphQL
    # error: nothing is null, and the failure is read where the client asked for it.
    check_partial(await ask_partial(graph, gateway))


async def test_apollo_client_with_its_default_error_policy_keeps_alices_holdings_behind_the_gateway(
    graph: GraphClient, gateway: str
) -> None:
    result = await apollo_with_defaults(graph, gateway, PARTIAL)
    assert (result["errors"], result["codes"]) == (None, [])
    check_partial({"data": result["data"]})


async def test_unread_the_failure_comes_through_the_gateway_as_its_coded_error(
    graph: GraphClient, gateway: str
) -> None:
    answer = await ask_partial(graph, gateway, PARTIAL_UNREAD)
    assert failure_codes(answer) == {
        ROOT_FAILURE: "PROVIDER_ERROR",
        WALLET_FAILURE: "PROVIDER_ERROR",
    }
    assert answer["data"]["user"]["wallets"][0]["holdings"]["complete"] is False
