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
async def stitched(graph: GraphClient) -> AsyncIterator[str]:
    async with node_service("stitch.mjs", graph.url, json.dumps(ALL_USERS)) as urls:
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


async def test_alices_binance_failure_comes_through_stitching_as_data(
    graph: GraphClient, stitched: str
) -> None:
    # At the root and across schemas (her wallet, merged through `accounts(refs:)`), with no
    # GraphQL error: nothing is null, and the failure is read where the client asked for it.
    check_partial(await ask_partial(graph, stitched))


async def test_apollo_client_with_its_default_error_policy_keeps_alices_holdings_when_stitched(
    graph: GraphClient, stitched: str
) -> None:
    result = await apollo_with_defaults(graph, stitched, PARTIAL)
    assert (result["errors"], result["codes"]) == (None, [])
    check_partial({"data": result["data"]})


async def test_unread_the_failure_of_a_merged_account_is_lost_when_stitched(
    graph: GraphClient, stitched: str
) -> None:
    # Why the failure is data: graphql-tools' delegation keeps a subschema's error only where
    # it can put it on a null, and her wallet's holdings are not null. The list's
    # `complete: false` is all that is left of it.
    answer = await ask_partial(graph, stitched, PARTIAL_UNREAD)
    assert WALLET_FAILURE not in failure_codes(answer)
    assert answer["data"]["user"]["wallets"][0]["holdings"]["complete"] is False
