"""Operation batching: a JSON array of operations answered by an array of results, in order;
every limit applies to the batch as a whole. (`tests/ecosystem/test_apollo_client.py` runs
Apollo's `BatchHttpLink`.)"""

from __future__ import annotations

import hashlib
import time
from typing import Any

import aiohttp
import pytest

from sources.algod import sandbox_data as algod_data
from tests.graph.support import ALGOD_ASSETS
from tests.harness import GraphClient, Sandboxes, serve_graph

#: Cost 202 (the account, its page, 100 holdings and their 100 assets) and depth 5.
PAGE = (
    "query Page($address: String!) { account(source: ALGORAND, address: $address) "
    "{ holdings(first: 100) { nodes { asset { symbol } } } } }"
)
SMALL = {"address": algod_data.SMALL}
FIRST = "query First($address: String!) { account(source: ALGORAND, address: $address) " + (
    "{ holdings(first: 1) { nodes { rawAmount } } } }"
)
VIEWER = "{ viewer { accounts { source holdings(first: 1) { nodes { amount } } } } }"


async def post(graph: GraphClient, body: Any, **headers: str) -> tuple[int, Any, str]:
    async with graph.http.post(graph.url, json=body, headers=headers) as response:
        return response.status, await response.json(), response.headers["Cache-Control"]


def codes(result: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in result.get("errors") or ()]


async def test_a_batch_answers_each_operation_in_order_and_reads_upstream_once_for_both(
    graph: GraphClient, clean: Sandboxes
) -> None:
    batch = [
        {"query": FIRST, "variables": SMALL},
        {"query": "{ providers(first: 1) { nodes { slug } } }"},
        {"query": FIRST, "variables": SMALL, "operationName": "First"},
    ]
    status, answer, cache_control = await post(graph, batch)
    assert status == 200
    alone = await graph.data(FIRST, SMALL)
    assert [result["data"] for result in answer] == [
        alone,
        {"providers": {"nodes": [{"slug": "acorns"}]}},
        alone,
    ]
    assert cache_control == "public, max-age=15"
    # One request's loaders: the two operations' reads of one account were one algod call
    # (the third call is the `alone` check's).
    assert await clean.algod.count(ALGOD_ASSETS) == 2


async def test_each_operation_of_a_batch_keeps_its_own_errors(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # The second operation ends after the first has met alice's failing binance.
    await clean.algod.faults(latency_ms=500)
    batch = [
        {"query": VIEWER},
        {"query": FIRST, "variables": SMALL},
        {"query": "{ nosuchfield }"},
    ]
    headers = graph.headers("alice", calico=True)
    try:
        status, answer, cache_control = await post(graph, batch, **headers)
    finally:
        await clean.reset()
    assert status == 200
    assert "PROVIDER_ERROR" in codes(answer[0])
    assert codes(answer[1]) == [] and answer[1]["data"]["account"]["holdings"]["nodes"]
    assert codes(answer[2]) == ["GRAPHQL_VALIDATION_FAILED"] and "data" not in answer[2]
    assert cache_control == "private, no-store"


async def test_a_batch_that_read_a_users_data_is_private_even_without_its_headers_saying_so(
    graph: GraphClient,
) -> None:
    # A custodial read marks the operation personal; the response follows the batch as a whole.
    token = graph.token("alice")
    batch = [
        {"query": "{ providers(first: 1) { nodes { slug } } }"},
        {"query": '{ account(source: MESH, address: "alice") { address } }'},
    ]
    _, answer, cache_control = await post(graph, batch, Authorization=f"Bearer {token}")
    assert answer[1]["data"]["account"]["address"] == "alice"
    assert cache_control == "private, no-store"


async def test_a_batch_over_the_cost_limit_as_a_whole_runs_nothing(
    sandboxes: Sandboxes, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(max_query_cost=500)
    async with serve_graph(settings, http) as graph:
        one = await graph.data(PAGE, SMALL)  # 202 alone: within the limit
        await clean.reset()
        status, answer, cache_control = await post(graph, [{"query": PAGE, "variables": SMALL}] * 3)
    assert one["account"]["holdings"]["nodes"]
    assert status == 200
    assert [codes(result) for result in answer] == [["QUERY_TOO_COMPLEX"]] * 3
    message = answer[0]["errors"][0]["message"]
    assert "the batch's estimated cost is 606 (its 3 operations together)" in message
    assert "MAX_QUERY_COST=500" in message
    assert cache_control == "no-store"
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("settings", "batch", "says"),
    [
        (
            {"max_query_aliases": 3},
            [{"query": "{ a: __typename b: __typename }"}] * 2,
            "the batch's aliases is 4 (its 2 operations together), over the limit "
            "MAX_QUERY_ALIASES=3",
        ),
        (
            {"max_query_tokens": 100},
            [{"query": "{ " + "__typename " * 40 + "}"}] * 3,
            "the batch has more than 100 tokens (its 3 operations together), over the limit "
            "MAX_QUERY_TOKENS=100",
        ),
        (
            {"max_query_depth": 4},
            [{"query": "{ __typename }"}, {"query": PAGE, "variables": SMALL}],
            "the batch's depth is 5 (its 2 operations together), over the limit MAX_QUERY_DEPTH=4",
        ),
        (
            {"max_upstream_calls": 10},
            [{"query": PAGE, "variables": SMALL}] * 6,
            "the batch's estimated number of upstream calls is 12 (its 6 operations together), "
            "over the limit MAX_UPSTREAM_CALLS=10",
        ),
        (
            {"max_query_selections": 100},
            [{"query": "{ " + "__typename " * 60 + "}"}] * 2,
            "the batch's field selections is 120 (its 2 operations together), over the limit "
            "MAX_QUERY_SELECTIONS=100",
        ),
    ],
    ids=["aliases", "tokens", "depth", "upstream-calls", "selections"],
)
async def test_every_limit_applies_to_the_batch_as_a_whole(
    sandboxes: Sandboxes,
    clean: Sandboxes,
    http: aiohttp.ClientSession,
    settings: dict[str, int],
    batch: list[dict[str, Any]],
    says: str,
) -> None:
    async with serve_graph(sandboxes.settings(**settings), http) as graph:
        status, answer, _ = await post(graph, batch)
    assert status == 200
    assert [codes(result) for result in answer] == [["QUERY_TOO_COMPLEX"]] * len(batch)
    assert says in answer[0]["errors"][0]["message"]
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


async def test_one_request_deadline_bounds_the_whole_batch(
    sandboxes: Sandboxes, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await clean.algod.faults(latency_ms=4000)
    addresses = algod_data.BENCH_ADDRESSES[:5]
    batch = [{"query": FIRST, "variables": {"address": address}} for address in addresses]
    settings = sandboxes.settings(request_deadline_seconds=0.5)
    async with serve_graph(settings, http) as graph:
        started = time.monotonic()
        try:
            status, answer, _ = await post(graph, batch)
        finally:
            elapsed = time.monotonic() - started
            await clean.reset()
    assert status == 200
    assert all("UPSTREAM_TIMEOUT" in codes(result) for result in answer), answer
    # Generous: one 0.5 s deadline for all five, never the sandbox's 4 s.
    assert elapsed < 3


@pytest.mark.parametrize(
    ("batch", "says"),
    [
        ([], "an empty batch"),
        ([{"query": "{ __typename }"}] * 11, "a batch of 11 operations is over the limit "),
        (
            [{"query": "{ __typename }"}, "{ __typename }"],
            "batch[1]: an operation is a JSON object",
        ),
        ([{"query": 7}], "batch[0]: `query` must be a string or null"),
        (
            [{"query": "{ __typename }", "variables": [1]}],
            "batch[0]: `variables` must be an object",
        ),
    ],
    ids=["empty", "too many", "not an object", "query not a string", "variables not an object"],
)
async def test_a_batch_the_server_does_not_run_is_400_naming_what_is_wrong(
    graph: GraphClient, batch: list[Any], says: str
) -> None:
    status, answer, _ = await post(graph, batch)
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert says in answer["errors"][0]["message"]


async def test_with_batching_off_a_batch_is_400(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with serve_graph(sandboxes.settings(batch_max_operations=0), http) as graph:
        status, answer, _ = await post(graph, [{"query": "{ __typename }"}])
    assert status == 400
    assert "BATCH_MAX_OPERATIONS=0" in answer["errors"][0]["message"]


async def test_an_operation_of_a_batch_without_its_query_fails_alone(graph: GraphClient) -> None:
    batch = [{"query": "{ __typename }"}, {"variables": {}}, {"query": "{ __typename }"}]
    status, answer, _ = await post(graph, batch)
    assert status == 200
    assert answer[0] == answer[2] == {"data": {"__typename": "Query"}}
    assert codes(answer[1]) == ["BAD_REQUEST"]


async def test_persisted_queries_work_inside_a_batch(graph: GraphClient) -> None:
    text = "query Persisted { providers(first: 1) { nodes { slug } } }"
    extensions = {
        "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(text.encode()).hexdigest()}
    }
    _, first, _ = await post(
        graph, [{"extensions": extensions}, {"query": text, "extensions": extensions}]
    )
    assert codes(first[0]) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert first[1]["data"]["providers"]["nodes"]
    _, second, _ = await post(graph, [{"extensions": extensions}])
    assert second == [first[1]]


async def test_a_batch_is_limited_by_its_body_size_as_a_whole(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(max_request_bytes=4096)
    operation = {"query": "{ __typename }", "variables": {"pad": "x" * 1000}}
    async with serve_graph(settings, http) as graph:
        status, _, _ = await post(graph, [operation] * 3)
        assert status == 200
        status, _, _ = await post(graph, [operation] * 5)
    assert status == 413
