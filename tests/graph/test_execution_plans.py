"""Which executor ran each operation is counted at `/metrics`, with the reason when it was not
a compiled plan; with COMPILED_EXECUTION=false none is; either way the answer is the same."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.web.incremental_client import post_for_parts
from tests.web.test_metrics import scrape, value

EXECUTIONS = "holdings_graphql_executions_total"
BAILOUTS = "holdings_graphql_plan_bailouts_total"
HOLDINGS = """query Holdings($a: String!) {
  account(source: ALGORAND, address: $a) {
    holdings(first: 20) {
      edges { cursor node { id amount rawAmount isFrozen asset { id kind symbol decimals } } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
}"""


@pytest_asyncio.fixture
async def fresh(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    await sandboxes.reset()
    async with serve_graph(sandboxes.settings(), http) as client:
        yield client


@pytest_asyncio.fixture
async def without_plans(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> AsyncIterator[GraphClient]:
    async with serve_graph(sandboxes.settings(compiled_execution=False), http) as client:
        yield client


async def test_a_query_runs_on_its_compiled_plan(
    fresh: GraphClient, http: aiohttp.ClientSession
) -> None:
    for _ in range(3):
        data = await fresh.data(HOLDINGS, {"a": algod_data.WHALE})
        assert len(data["account"]["holdings"]["edges"]) == 20
    samples = await scrape(fresh, http)
    assert value(samples, EXECUTIONS, executor="plan", reason="compiled") == 3
    assert value(samples, BAILOUTS) == 0


LONG = "query Long {" + " " * 5000 + "__typename }"
FALLBACKS = [
    pytest.param(
        "mutation { refreshHoldings(source: CALICO) { accepted } }", None, "mutation", id="mutation"
    ),
    pytest.param("{ __schema { queryType { name } } }", None, "introspection", id="introspection"),
    pytest.param(LONG, None, "uncached-document", id="uncached-document"),
    pytest.param(
        "query($v: Boolean = true) { __typename @include(if: $v) }",
        {"v": None},
        "directive-value",
        id="directive-value",
    ),
]


@pytest.mark.parametrize(("query", "variables", "reason"), FALLBACKS)
async def test_an_operation_without_a_plan_is_counted_with_its_reason(
    fresh: GraphClient,
    without_plans: GraphClient,
    http: aiohttp.ClientSession,
    clean: Sandboxes,
    query: str,
    variables: dict[str, object] | None,
    reason: str,
) -> None:
    answer = await fresh.query(query, variables, user="alice", calico=True)
    samples = await scrape(fresh, http)
    assert value(samples, EXECUTIONS, executor="standard", reason=reason) == 1
    assert value(samples, EXECUTIONS, executor="plan", reason="compiled") == 0
    if reason != "mutation":  # asked twice, Calico refuses the second refresh
        assert answer == await without_plans.query(query, variables, user="alice", calico=True)


async def test_with_compiled_execution_off_graphql_core_runs_every_operation(
    without_plans: GraphClient, http: aiohttp.ClientSession
) -> None:
    await without_plans.data(HOLDINGS, {"a": algod_data.SMALL})
    samples = await scrape(without_plans, http)
    assert value(samples, EXECUTIONS, executor="standard", reason="disabled") == 1
    assert value(samples, EXECUTIONS, executor="plan", reason="compiled") == 0


async def test_a_response_is_the_same_bytes_and_headers_with_and_without_plans(
    fresh: GraphClient, without_plans: GraphClient, http: aiohttp.ClientSession
) -> None:
    body = {"query": HOLDINGS, "variables": {"a": algod_data.WHALE}}
    answers = []
    for client in (fresh, without_plans):
        async with http.post(client.url, json=body) as response:
            headers = {name: response.headers[name] for name in ("Content-Type", "Cache-Control")}
            answers.append((response.status, headers, await response.read()))
    assert answers[0] == answers[1]
    assert b'"totalCount":2501' in answers[0][2]


async def test_a_condition_in_a_fragment_the_operation_never_spreads_does_not_stop_its_plan(
    fresh: GraphClient, http: aiohttp.ClientSession
) -> None:
    document = """
    query Plain { __typename ...Named }
    query Conditional($x: Boolean!) { ...Conditioned }
    fragment Named on Query { __typename }
    fragment Conditioned on Query { __typename @include(if: $x) }
    """
    body = {"query": document, "operationName": "Plain"}
    async with http.post(fresh.url, json=body) as response:
        assert await response.json() == {"data": {"__typename": "Query"}}
    samples = await scrape(fresh, http)
    assert value(samples, EXECUTIONS, executor="plan", reason="compiled") == 1


async def test_a_batch_and_a_persisted_query_run_on_plans_and_answer_the_same_bytes(
    fresh: GraphClient, without_plans: GraphClient, http: aiohttp.ClientSession
) -> None:
    digest = hashlib.sha256(HOLDINGS.encode()).hexdigest()
    hashed = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    variables = {"a": algod_data.SMALL}
    bodies: list[object] = [
        [{"query": HOLDINGS, "variables": variables}, {"query": "{ __typename }"}],  # a batch
        {"query": HOLDINGS, "variables": variables, "extensions": hashed},  # APQ: registers
        {"variables": variables, "extensions": hashed},  # APQ: the hash alone
    ]
    answers: dict[str, list[tuple[int, bytes]]] = {}
    for name, client in (("plan", fresh), ("standard", without_plans)):
        for body in bodies:
            async with http.post(client.url, json=body) as response:
                answers.setdefault(name, []).append((response.status, await response.read()))
    assert answers["plan"] == answers["standard"]
    assert all(status == 200 and b'"errors"' not in text for status, text in answers["plan"])
    samples = await scrape(fresh, http)
    assert value(samples, EXECUTIONS, executor="plan", reason="compiled") == 4
    assert value(samples, EXECUTIONS, executor="standard", reason="disabled") == 0


DEFERRED = """query Deferred($a: String!) {
  account(source: ALGORAND, address: $a) {
    id
    ... @defer(label: "page") { holdings(first: 3) { nodes @stream(initialCount: 1) { id } } }
  }
}"""


async def test_a_response_in_parts_runs_on_graphql_cores_incremental_executor_alone(
    fresh: GraphClient, without_plans: GraphClient, http: aiohttp.ClientSession
) -> None:
    variables = {"a": algod_data.SMALL}
    parts = await post_for_parts(fresh, DEFERRED, variables)
    assert parts.whole is None and len(parts.parts) >= 2, parts  # the page came later
    samples = await scrape(fresh, http)
    assert value(samples, EXECUTIONS, executor="standard", reason="incremental") == 1
    assert value(samples, EXECUTIONS, executor="plan", reason="compiled") == 0
    again = await post_for_parts(without_plans, DEFERRED, variables)
    assert again.bodies == parts.bodies
    # Asked for one JSON body, the same document is completed in place, on its plan.
    whole = await fresh.data(DEFERRED, variables)
    assert len(whole["account"]["holdings"]["nodes"]) == 3
    samples = await scrape(fresh, http)
    assert value(samples, EXECUTIONS, executor="plan", reason="compiled") == 1
    assert whole == await without_plans.data(DEFERRED, variables)
