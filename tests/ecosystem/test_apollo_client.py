"""Apollo Client against the server: its persisted-query link (by POST and by GET), its
`BatchHttpLink`, `@defer` read in parts by its incremental handlers, and a web app's query under
Apollo Client's default `errorPolicy`.

`node/apollo-client.mjs` runs `@apollo/client` with a recording `fetch`, so the test sees every
HTTP request the client made. The persisted link's first run meets a server that knows none of
the hashes (a fresh server per test): each query goes hash-only, gets PERSISTED_QUERY_NOT_FOUND,
and is sent again with its text; the second run (a new client, as a reloaded page) sends every
query by hash alone. With `@defer` on the viewer's custodial holdings and Calico held back,
Apollo Client emits the on-chain data (`dataState: "streaming"`) before Calico answers, then the
whole (`"complete"`). With its defaults (no `errorPolicy`, so 'none': any GraphQL error in a
response throws its data away), the client keeps alice's holdings when it reads her failing
Calico provider as data (`errors`). Figures go to `test-output/apollo-client.json`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.ecosystem.composition import (
    alice_calico_holdings,
    alice_failures,
    apollo_with_defaults,
)
from tests.ecosystem.node_tools import TEST_OUTPUT, node, run_tool
from tests.graph.support import ALGOD_ASSETS, CALICO_ASSETS
from tests.harness import GraphClient, Sandboxes, serve_graph

OPERATIONS: list[dict[str, Any]] = [
    {
        "query": "query Holdings($address: String!) { account(source: ALGORAND, address: $address)"
        " { holdings(first: 2) { nodes { amount rawAmount asset { symbol } } } } }",
        "variables": {"address": algod_data.SMALL},
    },
    {
        "query": "query Tokens($address: String!) { account(source: CARDANO, address: $address)"
        " { holdings(first: 2) { nodes { amount asset { fingerprint } } } } }",
        "variables": {"address": cardano_data.SMALL},
    },
    {"query": "query Providers { providers(first: 3) { nodes { slug name } } }", "variables": {}},
]
FIGURES = TEST_OUTPUT / "apollo-client.json"


@pytest_asyncio.fixture
async def fresh(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    """A server whose persisted-query store is empty."""
    async with serve_graph(sandboxes.settings(), http) as graph:
        yield graph


async def apollo(*args: str) -> list[dict[str, Any]]:
    finished = await run_tool(node(), "apollo-client.mjs", *args)
    assert finished.returncode == 0, finished.stderr
    runs: list[dict[str, Any]] = json.loads(finished.stdout)["runs"]
    return runs


def _record(name: str, figures: dict[str, Any]) -> None:
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    recorded = json.loads(FIGURES.read_text()) if FIGURES.is_file() else {}
    recorded[name] = figures
    FIGURES.write_text(json.dumps(recorded, indent=2) + "\n")


def hash_only(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in requests if all(not op["hasQuery"] and op["hash"] for op in r["operations"])]


@pytest.mark.parametrize("method", ["post", "get"])
async def test_apollos_persisted_query_link_sends_every_query_by_hash_alone_the_second_time(
    fresh: GraphClient, method: str
) -> None:
    first, second = await apollo("persisted", fresh.url, method, json.dumps(OPERATIONS))
    count = len(OPERATIONS)
    # First run: hash only, not found, then the text (always by POST: it may be long).
    assert len(first["requests"]) == 2 * count
    assert [r["codes"] for r in hash_only(first["requests"])] == [
        ["PERSISTED_QUERY_NOT_FOUND"]
    ] * count
    with_text = [r for r in first["requests"] if r["operations"][0]["hasQuery"]]
    assert [(r["method"], r["status"], r["codes"]) for r in with_text] == [
        ("POST", 200, [])
    ] * count
    # Second run: every query by hash alone, once, answered.
    sent = second["requests"]
    assert len(hash_only(sent)) == len(sent) == count
    assert {(r["method"], r["status"]) for r in sent} == {(method.upper(), 200)}
    assert all(r["codes"] == [] for r in sent)
    assert second["results"] == first["results"]
    assert all(result["errors"] is None and result["data"] for result in second["results"])
    holdings = second["results"][0]["data"]["account"]["holdings"]["nodes"]
    assert holdings[0]["rawAmount"] == str(algod_data.algo_balances()[algod_data.SMALL])
    if method == "get":
        # Public on-chain reads by GET: what a CDN or the browser may keep.
        assert {r["cacheControl"] for r in sent} == {"public, max-age=15"}
    _record(
        f"persisted-{method}",
        {
            "operations": count,
            "first run requests": len(first["requests"]),
            "first run hash-only": len(hash_only(first["requests"])),
            "second run requests": len(sent),
            "second run hash-only": len(hash_only(sent)),
        },
    )


async def test_apollos_link_runs_a_trusted_apollo_manifest_by_hash_alone_from_the_first_request(
    fresh: GraphClient, sandboxes: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    # The texts Apollo Client sends (its printed documents) and their hashes, as Apollo's
    # manifest generator would list them.
    learned, _ = await apollo("persisted", fresh.url, "post", json.dumps(OPERATIONS))
    sent = [op for r in learned["requests"] for op in r["operations"] if op["hasQuery"]]
    manifest = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": op["hash"], "name": f"op{n}", "type": "query", "body": op["text"]}
            for n, op in enumerate(sent)
        ],
    }
    path = tmp_path / "persisted-query-manifest.json"
    path.write_text(json.dumps(manifest))
    async with serve_graph(sandboxes.settings(trusted_documents=path), http) as trusted:
        first, second = await apollo("persisted", trusted.url, "post", json.dumps(OPERATIONS))
    for run in (first, second):
        assert len(hash_only(run["requests"])) == len(run["requests"]) == len(OPERATIONS)
        assert all(r["codes"] == [] for r in run["requests"])
        assert run["results"] == learned["results"]


async def test_batch_http_link_sends_the_operations_together_and_gets_each_answer(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # A fourth operation reads the first one's account (another name: Apollo Client would
    # share one request between two identical operations in flight).
    again = {**OPERATIONS[0], "query": OPERATIONS[0]["query"].replace("Holdings", "Again", 1)}
    operations = [*OPERATIONS, again]
    (run,) = await apollo("batch", graph.url, "10", json.dumps(operations))
    assert [len(r["operations"]) for r in run["requests"]] == [len(operations)]
    assert run["requests"][0]["status"] == 200
    assert all(result["errors"] is None for result in run["results"])
    assert run["results"][0] == run["results"][3]
    # One request's loaders: the two operations reading one account made one algod call.
    assert await clean.algod.count(ALGOD_ASSETS) == 1
    providers = await graph.data(OPERATIONS[2]["query"])
    assert [n["slug"] for n in run["results"][2]["data"]["providers"]["nodes"]] == [
        n["slug"] for n in providers["providers"]["nodes"]
    ]
    _record("batch", {"operations": len(operations), "http requests": len(run["requests"])})


async def test_batch_http_link_splits_at_its_batch_max(graph: GraphClient) -> None:
    (run,) = await apollo("batch", graph.url, "2", json.dumps(OPERATIONS))
    assert sorted(len(r["operations"]) for r in run["requests"]) == [1, 2]
    assert all(result["errors"] is None for result in run["results"])


async def test_a_batch_over_the_cost_limit_fails_every_operation_of_it_in_apollo_client(
    sandboxes: Sandboxes, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    page = {
        "query": "query Page($address: String!) { account(source: ALGORAND, address: $address)"
        " { holdings(first: 100) { nodes { asset { symbol } } } } }",
        "variables": {"address": algod_data.SMALL},
    }
    async with serve_graph(sandboxes.settings(max_query_cost=500), http) as graph:
        (alone,) = await apollo("batch", graph.url, "10", json.dumps([page]))
        await clean.reset()
        pages = [
            {**page, "variables": {"address": address}}
            for address in algod_data.BENCH_ADDRESSES[:3]
        ]
        (run,) = await apollo("batch", graph.url, "10", json.dumps(pages))
    assert alone["results"][0]["errors"] is None
    assert run["requests"][0]["codes"] == ["QUERY_TOO_COMPLEX"] * 3
    assert all("MAX_QUERY_COST=500" in str(result["errors"]) for result in run["results"])
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


#: A portfolio screen: the on-chain account at once, the viewer's custodial holdings deferred.
SCREEN = """
query Screen($address: String!) {
  account(source: ALGORAND, address: $address) {
    id
    holdings(first: 2) { nodes { id amount asset { id symbol } } }
  }
  viewer {
    userId
    accounts {
      id
      source
      ... @defer { holdings(first: 1) { nodes { id amount asset { id symbol } } } }
    }
  }
}
"""
CALICO_LATENCY_MS = 1500


@pytest.mark.parametrize("spec", ["2022", "v0.2"])
async def test_apollo_client_shows_the_onchain_data_before_the_deferred_calico_holdings(
    graph: GraphClient, clean: Sandboxes, spec: str
) -> None:
    await clean.calico.faults(latency_ms=CALICO_LATENCY_MS)
    try:
        # Twice, by a client of its own each time: the second on warm connections.
        operations = [{"query": SCREEN, "variables": {"address": algod_data.SMALL}}] * 2
        headers = graph.headers("alice", calico=True)
        (run,) = await apollo("defer", graph.url, spec, json.dumps(operations), json.dumps(headers))
        served = await clean.calico.count(CALICO_ASSETS)
    finally:
        await clean.reset()
    wanted = "deferSpec=20220824" if spec == "2022" else "incrementalSpec=v0.2"
    for request in run["requests"]:
        assert f"multipart/mixed;{wanted}" in request["accept"]
        assert request["contentType"] == f'multipart/mixed; boundary="-"; {wanted}'
        assert request["cacheControl"] == "private, no-store"
    assert len(run["requests"]) == 2
    for emitted in run["results"]:
        _check_deferred_screen(emitted)
    assert served >= 2
    _record(
        f"defer-{spec}",
        {
            "calico latency ms": CALICO_LATENCY_MS,
            "emissions (ms since the query, dataState), cold then warm": [
                [(e["ms"], e["dataState"]) for e in emitted] for emitted in run["results"]
            ],
        },
    )


def _check_deferred_screen(emitted: list[dict[str, Any]]) -> None:
    # Before the first part: the loading state, without data.
    assert emitted[0]["dataState"] == "empty" and emitted[0]["data"] is None
    first, *_, last = [e for e in emitted if e["dataState"] != "empty"]
    assert first["dataState"] == "streaming" and last["dataState"] == "complete"
    # The first emission has the on-chain holdings and the accounts, not yet their holdings.
    assert first["data"]["account"]["holdings"]["nodes"]
    assert [a["source"] for a in first["data"]["viewer"]["accounts"]] == ["CALICO", "MESH"]
    assert "holdings" not in first["data"]["viewer"]["accounts"][0]
    # Calico was asked at once and answered after its latency: the on-chain data came well
    # before it (a generous bound: half the latency).
    assert last["ms"] >= CALICO_LATENCY_MS
    assert last["ms"] - first["ms"] >= CALICO_LATENCY_MS / 2
    # The whole, as one JSON body would have had it: alice's binance failure included.
    calico, mesh = last["data"]["viewer"]["accounts"]
    assert calico["holdings"]["nodes"] and mesh["holdings"]["nodes"]
    assert last["data"]["account"] == first["data"]["account"]
    assert [(e["code"], e["path"]) for e in last["errors"] or ()] == [
        ("PROVIDER_ERROR", ["viewer", "accounts", 0, "holdings"])
    ]


#: What a web app shows of alice's custodial accounts, with what failed read as data.
VIEWER_HOLDINGS = """
query ViewerHoldings {
  viewer {
    accounts {
      source
      holdings(first: 3) {
        complete
        errors { source code provider cause message retryAfterSeconds }
        nodes { amount asset { symbol } provider { slug } }
      }
    }
  }
}
"""


async def test_apollo_client_with_its_default_error_policy_gets_alices_holdings_and_failure(
    graph: GraphClient,
) -> None:
    result = await apollo_with_defaults(graph, graph.url, VIEWER_HOLDINGS)
    assert (result["errors"], result["codes"]) == (None, [])
    calico, mesh = result["data"]["viewer"]["accounts"]
    assert calico == {
        "source": "CALICO",
        "holdings": {
            "complete": False,
            "errors": alice_failures(),
            "nodes": alice_calico_holdings(),
        },
    }
    assert mesh["source"] == "MESH" and len(mesh["holdings"]["nodes"]) == 3


async def test_not_reading_the_failure_apollo_clients_default_policy_drops_the_data(
    graph: GraphClient,
) -> None:
    # The coded error stays for a client that does not read the failure as data; Apollo
    # Client's default policy then throws the holdings away with it.
    unread = VIEWER_HOLDINGS.replace(
        "errors { source code provider cause message retryAfterSeconds }", ""
    )
    result = await apollo_with_defaults(graph, graph.url, unread)
    assert result["data"] is None
    assert result["codes"] == ["PROVIDER_ERROR"]
    assert "binance" in result["errors"]
