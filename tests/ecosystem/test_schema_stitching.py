"""Schema stitching: `@graphql-tools/stitch` merges our `Account` into another schema's type.

`node/stitch.mjs` introspects the holdings graph over HTTP and stitches it with a local `users`
schema; `Account` is merged through `accounts(refs:)` (batched). Queries go to the stitched
gateway; the answers must be the sandboxes' data.
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
async def stitched(graph: GraphClient) -> AsyncIterator[str]:
    async with node_service("stitch.mjs", graph.url, json.dumps(USERS)) as urls:
        yield urls["gateway"]


@pytest.mark.parametrize("user", list(USERS))
async def test_a_stitched_query_merges_our_accounts_into_the_users_wallets(
    graph: GraphClient, stitched: str, user: str
) -> None:
    answer = await ask(graph, stitched, user)
    assert "errors" not in answer, answer
    assert answer["data"] == expected_user(user)


async def test_stitching_reads_each_wallet_once_through_our_loaders(
    graph: GraphClient, stitched: str, clean: Sandboxes
) -> None:
    answer = await ask(graph, stitched, "ada")
    assert "errors" not in answer, answer
    assert await clean.algod.count(ALGOD_ASSETS) == 1
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 1
