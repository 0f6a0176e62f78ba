"""Partial failures as data (issue #13, point 6): every place a source can fail partly says what
failed in typed fields (`errors: [SourceError!]!` on holdings and positions connections, on an
account, on the portfolio), and the coded GraphQL error stays for a client that does not read
them. A client that reads them gets an answer without GraphQL errors (only a field that is null
has one), which is what Apollo Client's default errorPolicy needs to keep the data
(`tests/ecosystem/test_apollo_client.py`) and what reaches a client through every gateway
(`tests/ecosystem/test_*gateway.py`, `test_schema_stitching.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from graphql import parse
from prometheus_client.parser import text_string_to_metric_families

from schema import schema
from schema.limits import measure
from sources.algod import sandbox_data as algod_data
from tests.graph.all_sources import FAILED_FIELDS, FAULTS, QUERY, SANDBOX, TIMEOUT, VARIABLES
from tests.graph.support import ALGOD_ACCOUNT, ALGOD_ASSETS, CALICO_ASSETS, MESH_PORTFOLIO
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.hostile.support import default_options
from tests.web.incremental_client import post_for_parts

FAILURE = "source code provider cause message retryAfterSeconds"
READ = f"complete errors {{ {FAILURE} }}"
#: `all_sources.QUERY`, reading each list's failures (and each account's) as data.
QUERY_READ = (
    QUERY.replace("holdings(first: 10) {", f"holdings(first: 10) {{ {READ}")
    .replace("holdings(first: 50) {", f"holdings(first: 50) {{ {READ}")
    .replace("positions(first: 10) {", f"positions(first: 10) {{ {READ}")
    .replace("      source\n", f"      source\n      errors {{ {FAILURE} }}\n")
)

ALICE_CALICO = """
query($read: Boolean!) {
  account(source: CALICO, address: "alice") {
    holdings(first: 2) {
      complete
      errors @include(if: $read) { source code provider cause message retryAfterSeconds }
      nodes { amount }
    }
  }
}
"""
BINANCE = {
    "source": "CALICO",
    "code": "PROVIDER_ERROR",
    "provider": "binance",
    "cause": "unauthorized",
    "message": "Calico could not read provider 'binance': unauthorized",
    "retryAfterSeconds": None,
}


@pytest_asyncio.fixture(autouse=True)
async def _no_faults(sandboxes: Sandboxes) -> AsyncIterator[None]:
    """Each test runs on sandboxes without faults, and leaves none behind."""
    await sandboxes.reset()
    yield
    await sandboxes.reset()


@pytest_asyncio.fixture(scope="module")
async def tolerant(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    settings = sandboxes.settings(upstream_timeout_seconds=TIMEOUT, upstream_max_attempts=3)
    async with serve_graph(settings, http) as graph:
        yield graph
    await sandboxes.reset()


def _at(data: Any, path: list[str | int]) -> Any:
    for step in path:
        data = data[step]
    return data


def _paths(body: dict[str, Any]) -> list[list[str | int]]:
    return [error["path"] for error in body.get("errors", [])]


@pytest.mark.parametrize("fault", ["503", "401", "malformed"])
@pytest.mark.parametrize("failing", list(FAILED_FIELDS))
async def test_read_as_data_a_failing_source_is_listed_on_each_of_its_lists_without_graphql_errors(
    tolerant: GraphClient, clean: Sandboxes, failing: str, fault: str
) -> None:
    faults, code = FAULTS[fault]
    await getattr(clean, SANDBOX[failing]).faults(**faults)
    body = await tolerant.query(QUERY_READ, VARIABLES, user="bob", calico=True)
    assert "errors" not in body, body["errors"]
    data = body["data"]
    for path in FAILED_FIELDS[failing]:
        listed = _at(data, path)
        assert (listed["complete"], listed["edges"]) == (False, [])
        listed_failures = [(e["source"], e["code"], e["provider"]) for e in listed["errors"]]
        assert listed_failures == [(failing, code, None)]
    others = [
        path for source, paths in FAILED_FIELDS.items() if source != failing for path in paths
    ]
    for path in others:
        assert (_at(data, path)["complete"], _at(data, path)["errors"]) == (True, [])
    # Bob's CALICO account as a whole: its providers are the same pages, failing the same way.
    calico = data["viewer"]["accounts"][0]["errors"]
    assert [e["code"] for e in calico] == ([code] if failing == "CALICO" else [])


async def test_the_typed_failure_says_what_the_coded_error_says(graph: GraphClient) -> None:
    read = await graph.query(ALICE_CALICO, {"read": True}, user="alice", calico=True)
    unread = await graph.query(ALICE_CALICO, {"read": False}, user="alice", calico=True)
    holdings = read["data"]["account"]["holdings"]
    assert "errors" not in read
    assert holdings["errors"] == [BINANCE]
    # Not read (`@include(if: false)`: the field is not in the answer), the coded error stays.
    assert unread["data"]["account"]["holdings"] == {
        "complete": False,
        "nodes": holdings["nodes"],
    }
    (error,) = unread["errors"]
    assert error["path"] == ["account", "holdings"]
    assert error["message"] == BINANCE["message"]
    assert error["extensions"] == {
        "code": BINANCE["code"],
        "source": BINANCE["source"],
        "provider": BINANCE["provider"],
        "cause": BINANCE["cause"],
    }


async def test_each_list_stands_in_for_its_own_errors_only(graph: GraphClient) -> None:
    # Two lists of one account, the failure read on one (by an alias, through a fragment):
    # the other's stays a coded error on its own path.
    query = """{ account(source: CALICO, address: "alice") {
      read: holdings(first: 1) { ...Failures nodes { amount } }
      unread: holdings(first: 2) { complete nodes { amount } }
    } }
    fragment Failures on AssetHoldingConnection { whatFailed: errors { code provider } }"""
    body = await graph.query(query, user="alice", calico=True)
    read = body["data"]["account"]["read"]
    assert read["whatFailed"] == [{"code": "PROVIDER_ERROR", "provider": "binance"}]
    assert _paths(body) == [["account", "unread"]]


async def test_an_accounts_errors_name_its_failing_provider(graph: GraphClient) -> None:
    query = """{ viewer { accounts { source errors { FAILURE } providers { slug } } } }"""
    body = await graph.query(query.replace("FAILURE", FAILURE), user="alice", calico=True)
    assert "errors" not in body
    calico, mesh = body["data"]["viewer"]["accounts"]
    assert calico["errors"] == [BINANCE]
    assert "binance" in [p["slug"] for p in calico["providers"]]  # listed, and failing
    assert (mesh["source"], mesh["errors"], mesh["providers"]) == ("MESH", [], [])


async def test_a_failing_provider_listing_is_the_accounts_error_or_a_coded_one(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.calico.faults(status=503)
    query = '{ account(source: CALICO, address: "alice") { providers { slug } READ } }'
    read = await graph.query(
        query.replace("READ", f"errors {{ {FAILURE} }}"), user="alice", calico=True
    )
    assert "errors" not in read
    account = read["data"]["account"]
    assert account["providers"] == []
    ((code, source),) = [(e["code"], e["source"]) for e in account["errors"]]
    assert (code, source) == ("UPSTREAM_UNAVAILABLE", "CALICO")
    unread = await graph.query(query.replace("READ", ""), user="alice", calico=True)
    assert unread["data"]["account"]["providers"] == []
    assert _paths(unread) == [["account", "providers"]]
    assert unread["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"


async def test_an_accounts_errors_read_nothing_where_its_providers_are_known(
    graph: GraphClient, clean: Sandboxes
) -> None:
    query = """query($address: String!) {
      account(source: ALGORAND, address: $address) { errors { code } providers { slug } }
      mesh: account(source: MESH, address: "alice") { errors { code } }
    }"""
    data = await graph.data(query, {"address": algod_data.SMALL}, user="alice")
    assert data["account"] == {"errors": [], "providers": [{"slug": "algorand"}]}
    assert data["mesh"] == {"errors": []}
    assert [
        await clean.algod.count(ALGOD_ACCOUNT),
        await clean.algod.count(ALGOD_ASSETS),
        await clean.mesh.count(MESH_PORTFOLIO),
        await clean.calico.count(CALICO_ASSETS),
    ] == [0, 0, 0, 0]


async def test_alices_calico_errors_share_the_pages_her_providers_read(
    graph: GraphClient, clean: Sandboxes
) -> None:
    query = '{ account(source: CALICO, address: "alice") { providers { slug } errors { code } } }'
    await graph.data(query, user="alice", calico=True)
    alone = await clean.calico.count(CALICO_ASSETS)
    await clean.reset()
    await graph.data(query.replace("errors { code }", ""), user="alice", calico=True)
    assert await clean.calico.count(CALICO_ASSETS) == alone >= 1


def test_an_accounts_errors_are_estimated_as_its_providers_are() -> None:
    def calls(selection: str) -> int:
        document = parse(f'{{ account(source: CALICO, address: "alice") {{ {selection} }} }}')
        figures = measure(schema._schema, document, None, {}, default_options())
        assert figures is not None
        return figures.upstream_calls

    assert calls("errors { code }") == calls("providers { slug }") > 0


async def test_a_failing_mesh_is_listed_on_its_positions(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.mesh.faults(status=401)
    query = (
        '{ account(source: MESH, address: "alice") { positions(first: 5) { totalCount READ } } }'
    )
    read = await graph.query(
        query.replace("READ", f"complete errors {{ {FAILURE} }}"), user="alice"
    )
    assert "errors" not in read
    positions = read["data"]["account"]["positions"]
    assert (positions["complete"], positions["totalCount"]) == (False, None)
    assert [(e["source"], e["code"]) for e in positions["errors"]] == [
        ("MESH", "UPSTREAM_UNAUTHORIZED")
    ]
    unread = await graph.query(query.replace("READ", "complete"), user="alice")
    assert _paths(unread) == [["account", "positions"]]


async def test_each_operation_of_a_batch_reads_its_failures_its_own_way(
    graph: GraphClient,
) -> None:
    batch = [
        {"query": ALICE_CALICO, "variables": {"read": True}},
        {"query": ALICE_CALICO, "variables": {"read": False}},
    ]
    headers = graph.headers("alice", calico=True)
    async with graph.http.post(graph.url, json=batch, headers=headers) as response:
        assert response.status == 200
        read, unread = await response.json()
    assert "errors" not in read
    assert read["data"]["account"]["holdings"]["errors"] == [BINANCE]
    assert _paths(unread) == [["account", "holdings"]]


async def test_a_failure_read_as_data_counts_in_the_error_metrics_as_a_coded_one_does(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with serve_graph(sandboxes.settings(), http) as fresh:
        for read in (True, False):
            await fresh.query(ALICE_CALICO, {"read": read}, user="alice", calico=True)
        url = fresh.url.removesuffix("/graphql") + "/metrics"
        async with http.get(url) as response:
            text = await response.text()
    counts = {
        sample.labels.get("code"): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "holdings_graphql_errors_total"
    }
    assert counts == {"PROVIDER_ERROR": 2}


def test_through_a_gateway_an_accounts_errors_are_estimated_by_the_sources_it_names() -> None:
    # A gateway asks `_entities` for a user's wallets by `source address`: the errors of 50
    # Algorand wallets read nothing, so they cost no upstream call; a Calico one may.
    document = parse(
        "query($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on Account { errors { code } } } }"
    )

    def calls(*sources: str) -> int:
        representations = [
            {"__typename": "Account", "source": source, "address": "x"} for source in sources
        ]
        figures = measure(schema._schema, document, None, {"r": representations}, default_options())
        assert figures is not None
        return figures.upstream_calls

    providers = parse('{ account(source: CALICO, address: "a") { providers { slug } } }')
    calico = measure(schema._schema, providers, None, {}, default_options())
    assert calico is not None
    assert calls(*["ALGORAND"] * 50) == 0
    assert calls("CALICO") == calico.upstream_calls > 0
    anonymous = [{"__typename": "Account", "id": "x"}]
    figures = measure(schema._schema, document, None, {"r": anonymous}, default_options())
    assert figures is not None and figures.upstream_calls == calico.upstream_calls


async def test_sent_in_parts_a_failure_is_left_out_where_a_part_already_listed_it(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # The account's `errors` in the first part, its failing `providers` deferred: the failure
    # is read in the first part, and no part repeats it as a GraphQL error.
    await clean.calico.faults(status=503)
    query = """{ account(source: CALICO, address: "alice") {
      errors { code source }
      ... @defer(label: "providers") { providers { slug } }
    } }"""
    answer = await post_for_parts(graph, query, headers=graph.headers("alice", calico=True))
    first, *later = answer.bodies
    assert first["data"]["account"]["errors"] == [
        {"code": "UPSTREAM_UNAVAILABLE", "source": "CALICO"}
    ]
    (entry,) = [e for body in later for e in body.get("incremental", ())]
    assert entry["data"] == {"providers": []}
    assert all("errors" not in body for body in answer.bodies)
    assert all("errors" not in e for body in later for e in body.get("incremental", ()))


async def test_sent_in_parts_a_failure_listed_only_in_a_later_part_is_also_a_coded_error(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # The list in the first part, its `errors` deferred: the first part cannot know that a
    # later one will list the failure, so it carries the coded error (said twice, never lost).
    query = """{ account(source: CALICO, address: "alice") { holdings(first: 1) {
      nodes { amount }
      ... @defer(label: "failures") { errors { code provider } }
    } } }"""
    answer = await post_for_parts(graph, query, headers=graph.headers("alice", calico=True))
    first, *later = answer.bodies
    assert [e["extensions"]["code"] for e in first["errors"]] == ["PROVIDER_ERROR"]
    (entry,) = [e for body in later for e in body.get("incremental", ())]
    assert entry["data"] == {"errors": [{"code": "PROVIDER_ERROR", "provider": "binance"}]}
    assert "errors" not in entry
