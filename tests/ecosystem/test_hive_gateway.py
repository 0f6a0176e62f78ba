"""A real Hive Gateway composes the holdings graph with another subgraph and crosses into it.

`node/hive-gateway.mjs` starts the same `users` subgraph as the Apollo Gateway test and Hive
Gateway's runtime (`@graphql-hive/gateway`), which reads both subgraphs' `_service { sdl }` and
composes the supergraph itself with Hive's composition (`@theguild/federation-composition`). That
composition knows Federation up to v2.9: a subgraph linking a later version (Strawberry's default,
v2.11) is refused and the fixture fails. Queries go to the gateway; the answers must be the
sandboxes' data, our subgraph reached through `_entities`, batched.
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
async def hive_gateway(graph: GraphClient) -> AsyncIterator[str]:
    async with node_service("hive-gateway.mjs", graph.url, json.dumps(ALL_USERS)) as urls:
        yield urls["gateway"]


@pytest.mark.parametrize("user", list(USERS))
async def test_a_query_through_hive_gateway_crosses_into_our_subgraph_with_exact_data(
    graph: GraphClient, hive_gateway: str, user: str
) -> None:
    answer = await ask(graph, hive_gateway, user)
    assert "errors" not in answer, answer
    assert answer["data"] == expected_user(user)


async def test_hive_gateway_reads_each_wallet_once_through_our_loaders(
    graph: GraphClient, hive_gateway: str, clean: Sandboxes
) -> None:
    answer = await ask(graph, hive_gateway, "ada")
    assert "errors" not in answer, answer
    assert await clean.algod.count(ALGOD_ASSETS) == 1
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 1


async def test_alices_binance_failure_comes_through_hive_gateway_as_data(
    graph: GraphClient, hive_gateway: str
) -> None:
    # At the root and across subgraphs (her wallet, an `_entities` fetch), with no GraphQL
    # error: nothing is null, and the failure is read where the client asked for it.
    check_partial(await ask_partial(graph, hive_gateway))


async def test_apollo_client_with_its_default_error_policy_keeps_alices_holdings_behind_hive(
    graph: GraphClient, hive_gateway: str
) -> None:
    result = await apollo_with_defaults(graph, hive_gateway, PARTIAL)
    assert (result["errors"], result["codes"]) == (None, [])
    check_partial({"data": result["data"]})


async def test_unread_the_failure_of_an_entity_fetch_is_lost_behind_hive_gateway(
    graph: GraphClient, hive_gateway: str
) -> None:
    # Why the failure is data: Hive Gateway (graphql-tools' delegation) keeps a subgraph's
    # error only where it can put it on a null, and her wallet's holdings are not null. The
    # list's `complete: false` is all that is left of it.
    answer = await ask_partial(graph, hive_gateway, PARTIAL_UNREAD)
    assert WALLET_FAILURE not in failure_codes(answer)
    assert answer["data"]["user"]["wallets"][0]["holdings"]["complete"] is False
