"""The README's Apollo Client set-up ("Calling it from a web app") runs as it is written.

The ```js block is taken from the README itself and run by Node with `@apollo/client` (twice, as
two page loads, against a server whose persisted-query store starts empty), after a prelude
that gives it the graph's URL and alice's tokens and records every request it sends
(`node/recording-fetch.mjs`), and before an epilogue that prints what the snippet computed and
asks two more things of the same client: the same query under Apollo's default error policy
(which keeps the holdings too: the query reads the failure as data, so the answer has no GraphQL
error), and the whale's uint64-maximum token (the scalars stay exact strings through Apollo's
cache).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from tests.docs_examples import snippet
from tests.ecosystem.node_tools import node, run_tool
from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes, serve_graph

WHALE_TOKENS = (
    "query Whale($address: String!) { account(source: ALGORAND, address: $address) {"
    ' holdings(first: 2, filter: {symbols: ["USDC", "MAXS"]}) { nodes { amount rawAmount'
    " asset { symbol decimals } } } } }"
)
MAX_UINT64 = "18446744073709551615"

PRELUDE = """
import { sent } from "./recording-fetch.mjs";
const { GRAPH_URL, token, calicoToken } = JSON.parse(process.env.README_SNIPPET_INPUT);
"""
EPILOGUE = """
const snippetRequests = sent.splice(0);
const again = gql(process.env.README_SNIPPET_QUERY);
const byDefault = await client
  .query({ query: again, fetchPolicy: "network-only", errorPolicy: "none" })
  .then(
    (result) => ({ rejected: false, data: result.data ?? null, error: String(result.error ?? "") }),
    (thrown) => ({ rejected: true, data: null, error: String(thrown.message) }),
  );
const whale = await client.query({
  query: gql(process.env.README_WHALE_QUERY),
  variables: { address: process.env.README_WHALE },
});
process.stdout.write(JSON.stringify({
  requests: snippetRequests, data, codes, missing, byDefault, whale: whale.data ?? null,
}) + "\\n");
client.stop();
"""


def readme_snippet() -> tuple[str, str]:
    """The README's Apollo Client block, and the query it sends (as written in it)."""
    block = snippet("js", "CombinedGraphQLErrors.is(error)")
    query = re.search(r"gql`(.*?)`", block, re.S)
    assert query is not None, "the README's snippet sends no gql`...` query"
    return block, query[1]


def _plain(value: Any) -> Any:
    """`value` without the `__typename` Apollo Client adds to every selection."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "__typename"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


@pytest_asyncio.fixture(scope="module")
async def fresh(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    """A server whose persisted-query store starts empty."""
    async with serve_graph(sandboxes.settings(), http) as graph:
        yield graph


@pytest_asyncio.fixture(scope="module")
async def page_loads(fresh: GraphClient) -> list[dict[str, Any]]:
    """What the README's snippet did on two page loads, one after the other."""
    block, query = readme_snippet()
    given = {
        "GRAPH_URL": fresh.url,
        "token": fresh.token("alice"),
        "calicoToken": CALICO_TOKENS["alice"],
    }
    env = {
        "README_SNIPPET_INPUT": json.dumps(given),
        "README_SNIPPET_QUERY": query,
        "README_WHALE_QUERY": WHALE_TOKENS,
        "README_WHALE": algod_data.WHALE,
    }
    source = PRELUDE + block + EPILOGUE
    loads = []
    for _ in range(2):
        finished = await run_tool(node(), "--input-type=module", "--eval", source, env=env)
        assert finished.returncode == 0, finished.stderr
        loads.append(json.loads(finished.stdout.strip().splitlines()[-1]))
    return loads


async def test_the_first_load_teaches_the_hash_and_the_second_sends_it_alone(
    page_loads: list[dict[str, Any]],
) -> None:
    first, second = (load["requests"] for load in page_loads)
    # Hash alone by GET, not known yet; then the text with the hash (Apollo POSTs it).
    # The answers have no GraphQL error: the query reads alice's binance failure as data.
    assert [(r["method"], r["operations"][0]["hasQuery"], r["codes"]) for r in first] == [
        ("GET", False, ["PERSISTED_QUERY_NOT_FOUND"]),
        ("POST", True, []),
    ]
    assert [(r["method"], r["operations"][0]["hasQuery"], r["status"]) for r in second] == [
        ("GET", False, 200)
    ]
    assert second[0]["codes"] == []
    assert {op["hash"] for r in first + second for op in r["operations"]} == {
        first[0]["operations"][0]["hash"]
    }
    # alice's tokens went along: nobody may keep her answer.
    assert {r["cacheControl"] for r in first + second} == {"private, no-store"}


async def test_the_snippet_keeps_alices_holdings_beside_her_binance_failure(
    page_loads: list[dict[str, Any]], fresh: GraphClient
) -> None:
    alice = fresh.headers("alice", calico=True)
    status, direct = await fresh.post(readme_snippet()[1], headers=alice)
    assert status == 200
    for load in page_loads:
        assert _plain(load["data"]) == direct["data"]
        accounts = {a["source"]: a["holdings"] for a in load["data"]["viewer"]["accounts"]}
        assert accounts["CALICO"]["complete"] is False
        assert len(accounts["CALICO"]["nodes"]) == 20
        assert accounts["MESH"]["complete"] is True and accounts["MESH"]["errors"] == []
        assert len(accounts["MESH"]["nodes"]) == 7
        assert _plain(load["missing"]) == [
            {
                "source": "CALICO",
                "code": "PROVIDER_ERROR",
                "provider": "binance",
                "message": "Calico could not read provider 'binance': unauthorized",
                "retryAfterSeconds": None,
            }
        ]
        # Read as data (`errors` is asked), the failure is no GraphQL error beside it.
        assert "errors" not in direct
        assert load["codes"] == []


async def test_apollos_default_error_policy_keeps_the_holdings_too(
    page_loads: list[dict[str, Any]],
) -> None:
    # The default policy ("none") would throw the answer away for any GraphQL error; the
    # snippet's query reads its failures as data, so there is none, and the data stays.
    for load in page_loads:
        assert load["byDefault"]["rejected"] is False
        assert load["byDefault"]["error"] == ""
        assert _plain(load["byDefault"]["data"]) == _plain(load["data"])


async def test_exact_scalars_arrive_as_the_strings_the_server_sent(
    page_loads: list[dict[str, Any]],
) -> None:
    for load in page_loads:
        nodes = _plain(load["whale"])["account"]["holdings"]["nodes"]
        assert nodes == [
            {
                "amount": "1234.56789",
                "rawAmount": "1234567890",
                "asset": {"symbol": "USDC", "decimals": 6},
            },
            {
                "amount": "1.8446744073709551615",
                "rawAmount": MAX_UINT64,
                "asset": {"symbol": "MAXS", "decimals": 19},
            },
        ]
