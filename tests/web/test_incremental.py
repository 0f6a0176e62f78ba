"""`@defer` and `@stream` sent in parts (`multipart/mixed`) over real HTTP, read with aiohttp's
multipart reader as the parts arrive: what each part holds (data, path, label, errors with their
codes, hasNext), in both formats, and that every guarantee of a whole response holds for the
parts (error translation, soft errors, query limits, the request deadline, Cache-Control,
metrics). `tests/ecosystem/test_apollo_client.py` runs Apollo Client against the same."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from graphql import (
    GraphQLError,
    IncrementalDeferResult,
    IncrementalStreamResult,
    InitialIncrementalExecutionResult,
    SubsequentIncrementalExecutionResult,
    parse,
)
from graphql.execution import CompletedResult, PendingResult

from schema import schema
from schema.limits import measure
from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.ecosystem.node_tools import TEST_OUTPUT
from tests.graph.support import CALICO_ASSETS
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.hostile.support import default_options
from tests.web.incremental_client import DEFER_2022, INCREMENTAL_V02, post_for_parts
from tests.web.test_metrics import scrape, total
from web.incremental import IncrementalSpec, PartFormatter, incremental_spec

#: A portfolio screen: the on-chain account at once, the custodial holdings when they come.
SCREEN = """
query Screen($address: String!) {
  account(source: ALGORAND, address: $address) {
    holdings(first: 2) { nodes { amount asset { symbol } } }
  }
  viewer {
    userId
    accounts {
      source
      ... @defer(label: "custodial") { holdings(first: 1) { nodes { amount asset { symbol } } } }
    }
  }
}
"""
ONCHAIN = {"address": algod_data.SMALL}
CALICO_LATENCY_MS = 1500
FIGURES = TEST_OUTPUT / "incremental.json"


@pytest_asyncio.fixture
async def calm(clean: Sandboxes) -> AsyncIterator[Sandboxes]:
    """The sandboxes, reset again after the test (it injects faults)."""
    yield clean
    await clean.reset()


def codes(errors: list[dict[str, Any]] | None) -> list[str]:
    return [error["extensions"]["code"] for error in errors or ()]


def whole_from_2022(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """The response the parts make together, merged as Apollo Client's 2022 handler does."""
    data = bodies[0]["data"]
    errors = list(bodies[0].get("errors", ()))
    for body in bodies[1:]:
        for entry in body.get("incremental", ()):
            path = entry["path"]
            if "items" in entry:
                *to_list, start = path
                target = _at(data, to_list)
                assert len(target) == start, "streamed items out of order"
                target.extend(entry["items"])
            else:
                _at(data, path).update(entry["data"])
            errors.extend(entry.get("errors", ()))
    return {"data": data, **({"errors": errors} if errors else {})}


def _at(data: Any, path: list[str | int]) -> Any:
    for key in path:
        data = data[key]
    return data


def plain(query: str) -> str:
    return query.replace('@defer(label: "custodial")', "").replace("@stream(initialCount: 1)", "")


async def test_the_onchain_part_arrives_while_calico_is_still_waiting(
    graph: GraphClient, calm: Sandboxes
) -> None:
    await calm.calico.faults(latency_ms=CALICO_LATENCY_MS)
    await calm.calico.record_arrivals()

    async def calico_so_far(_: dict[str, Any]) -> tuple[int, int]:
        return len(await calm.calico.arrivals()), await calm.calico.count(CALICO_ASSETS)

    answer = await post_for_parts(
        graph, SCREEN, ONCHAIN, headers=graph.headers("alice", calico=True), on_part=calico_so_far
    )
    assert answer.status == 200
    assert answer.headers["Content-Type"] == 'multipart/mixed; boundary="-"; deferSpec=20220824'
    first, *later = answer.parts
    # Calico was asked before the first part went out (deferred work starts at once), and had
    # not answered yet.
    asked, answered = first.noted
    assert asked >= 1 and answered == 0
    assert first.body["hasNext"] is True and "errors" not in first.body
    assert first.body["data"]["viewer"] == {
        "userId": "alice",
        "accounts": [{"source": "CALICO"}, {"source": "MESH"}],
    }
    assert first.body["data"]["account"]["holdings"]["nodes"]
    entries = [entry for part in later for entry in part.body.get("incremental", ())]
    by_path = {tuple(entry["path"]): entry for entry in entries}
    assert set(by_path) == {("viewer", "accounts", 0), ("viewer", "accounts", 1)}
    assert {entry["label"] for entry in entries} == {"custodial"}
    calico = by_path["viewer", "accounts", 0]
    calico_part = next(p for p in later if calico in p.body.get("incremental", ()))
    assert calico_part.seconds >= CALICO_LATENCY_MS / 1000 > first.seconds or (
        calico_part.seconds - first.seconds >= CALICO_LATENCY_MS / 1000 / 2
    )
    assert calico_part.noted[1] >= 1  # answered by then
    # alice's failing binance travels with Calico's part, coded, with its full path.
    assert codes(calico.get("errors")) == ["PROVIDER_ERROR"]
    assert calico["errors"][0]["path"] == ["viewer", "accounts", 0, "holdings"]
    assert calico["errors"][0]["extensions"]["provider"] == "binance"
    assert calico["data"]["holdings"]["nodes"][0]["asset"]["symbol"]
    assert [part.body["hasNext"] for part in later] == [True] * (len(later) - 1) + [False]
    # Together the parts are the response without @defer.
    whole = await graph.query(plain(SCREEN), ONCHAIN, user="alice", calico=True)
    assert whole_from_2022(answer.bodies) == whole
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(
        json.dumps(
            {
                "calico latency ms": CALICO_LATENCY_MS,
                "parts (ms after the request, paths)": [
                    (round(p.seconds * 1000), [e["path"] for e in p.body.get("incremental", ())])
                    for p in answer.parts
                ],
            },
            indent=2,
        )
        + "\n"
    )


async def test_a_fragment_delivered_below_its_defer_lands_at_its_own_path(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # The fragment is at `viewer`; its data under `accounts` (which the initial part already
    # has), so graphql-core sends it with a `subPath`.
    query = (
        '{ viewer { accounts { source } ... @defer(label: "more") '
        "{ accounts { holdings(first: 1) { nodes { amount } } } } } }"
    )
    headers = graph.headers("alice", calico=True)
    legacy = await post_for_parts(graph, query, headers=headers)
    entries = [e for body in legacy.bodies[1:] for e in body.get("incremental", ())]
    assert sorted(e["path"] for e in entries) == [
        ["viewer", "accounts", 0],
        ["viewer", "accounts", 1],
    ]
    assert all("subPath" not in e and "id" not in e for e in entries)
    assert whole_from_2022(legacy.bodies) == await graph.query(
        query.replace('... @defer(label: "more")', "..."), user="alice", calico=True
    )
    current = await post_for_parts(graph, query, headers=headers, accept=INCREMENTAL_V02)
    assert current.headers["Content-Type"].endswith("incrementalSpec=v0.2")
    assert current.bodies[0]["pending"] == [{"id": "0", "path": ["viewer"], "label": "more"}]
    entries = [e for body in current.bodies[1:] for e in body.get("incremental", ())]
    assert sorted(e["subPath"] for e in entries) == [["accounts", 0], ["accounts", 1]]
    assert {e["id"] for e in entries} == {"0"}
    completed = [c for body in current.bodies[1:] for c in body.get("completed", ())]
    assert completed == [{"id": "0"}]
    assert codes([e for entry in entries for e in entry.get("errors", ())]) == ["PROVIDER_ERROR"]


async def test_streamed_accounts_come_in_order_with_the_index_of_their_first_item(
    graph: GraphClient, calm: Sandboxes
) -> None:
    await calm.cardanobi.faults(latency_ms=800, path="/assets")
    query = """
    query Many($algo: String!, $cardano: String!, $empty: String!) {
      accounts(refs: [{source: ALGORAND, address: $algo}, {source: CARDANO, address: $cardano},
                      {source: ALGORAND, address: $empty}]) @stream(initialCount: 1) {
        source address holdings(first: 1) { nodes { rawAmount } }
      }
    }"""
    variables = {
        "algo": algod_data.SMALL,
        "cardano": cardano_data.SMALL,
        "empty": algod_data.EMPTY,
    }
    answer = await post_for_parts(graph, query, variables)
    first, *later = answer.parts
    assert [a["source"] for a in first.body["data"]["accounts"]] == ["ALGORAND"]
    assert first.seconds < 0.8
    entries = [e for part in later for e in part.body.get("incremental", ())]
    assert entries[0]["path"] == ["accounts", 1]
    assert [item["source"] for e in entries for item in e["items"]] == ["CARDANO", "ALGORAND"]
    whole = await graph.query(query.replace("@stream(initialCount: 1)", ""), variables)
    assert whole_from_2022(answer.bodies) == whole
    current = await post_for_parts(graph, query, variables, accept=INCREMENTAL_V02)
    assert current.bodies[0]["pending"] == [{"id": "0", "path": ["accounts"]}]
    items = [i for b in current.bodies[1:] for e in b.get("incremental", ()) for i in e["items"]]
    assert [item["address"] for item in items] == [cardano_data.SMALL, algod_data.EMPTY]


async def test_streams_inside_streamed_items_make_the_whole_response_together(
    graph: GraphClient, clean: Sandboxes
) -> None:
    query = """
    query Nested($algo: String!, $whale: String!) {
      accounts(refs: [{source: ALGORAND, address: $algo}, {source: ALGORAND, address: $whale}])
        @stream(initialCount: 1) {
        holdings(first: 3) { nodes @stream(initialCount: 1) { rawAmount } }
      }
    }"""
    variables = {"algo": algod_data.SMALL, "whale": algod_data.WHALE}
    whole = await graph.query(query.replace("@stream(initialCount: 1)", ""), variables)
    answer = await post_for_parts(graph, query, variables)
    assert len(answer.parts) >= 2
    assert whole_from_2022(answer.bodies) == whole
    current = await post_for_parts(graph, query, variables, accept=INCREMENTAL_V02)
    assert len(current.bodies[0]["pending"]) == 2  # the accounts, the first account's nodes


@pytest.mark.parametrize("accept", ["application/json", "*/*", "application/graphql-response+json"])
async def test_a_client_that_asks_for_one_body_gets_everything_in_it(
    graph: GraphClient, clean: Sandboxes, accept: str
) -> None:
    answer = await post_for_parts(
        graph, SCREEN, ONCHAIN, accept=accept, headers=graph.headers("alice", calico=True)
    )
    assert answer.status == 200 and not answer.parts
    assert answer.whole == await graph.query(plain(SCREEN), ONCHAIN, user="alice", calico=True)


async def test_each_operation_of_a_batch_gets_its_deferred_data_in_its_own_result(
    graph: GraphClient, clean: Sandboxes
) -> None:
    operation = {"query": SCREEN, "variables": ONCHAIN}
    headers = {"Accept": DEFER_2022, **graph.headers("alice", calico=True)}
    async with graph.http.post(graph.url, json=[operation, operation], headers=headers) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "application/json"
        batch = await r.json()
    whole = await graph.query(plain(SCREEN), ONCHAIN, user="alice", calico=True)
    assert batch == [whole, whole]


async def test_errors_of_deferred_parts_are_coded_and_translated(
    graph: GraphClient, calm: Sandboxes
) -> None:
    await calm.cardanobi.faults(status=503, path="/assets")
    query = """
    query Broken($cardano: String!) {
      providers(first: 1) { nodes { slug } }
      ... @defer(label: "bad") { bad: account(source: ALGORAND, address: "not-an-address") { id } }
      ... @defer(label: "down") {
        down: account(source: CARDANO, address: $cardano) {
          holdings(first: 1) { nodes { amount } }
        }
      }
    }"""
    answer = await post_for_parts(graph, query, {"cardano": cardano_data.SMALL})
    assert answer.status == 200 and "errors" not in answer.bodies[0]
    entries = {e["label"]: e for b in answer.bodies[1:] for e in b.get("incremental", ())}
    assert entries["bad"]["data"] == {"bad": None}
    (bad,) = entries["bad"]["errors"]
    assert bad["extensions"]["code"] == "BAD_USER_INPUT" and "not-an-address" in bad["message"]
    assert bad["path"] == ["bad"]
    down = entries["down"]["errors"]
    assert codes(down) == ["UPSTREAM_UNAVAILABLE"]
    assert down[0]["extensions"]["source"] == "CARDANO"
    assert down[0]["path"] == ["down", "holdings"]
    assert entries["down"]["data"]["down"]["holdings"]["nodes"] == []  # a soft error: it answers


async def test_a_soft_error_of_the_initial_part_goes_with_it(
    graph: GraphClient, clean: Sandboxes
) -> None:
    query = """
    { viewer { accounts { source holdings(first: 1) { nodes { amount } } } }
      ... @defer(label: "later") { providers(first: 1) { nodes { slug } } } }"""
    answer = await post_for_parts(graph, query, headers=graph.headers("alice", calico=True))
    first, *later = answer.bodies
    assert codes(first.get("errors")) == ["PROVIDER_ERROR"]
    assert first["errors"][0]["path"] == ["viewer", "accounts", 0, "holdings"]
    assert all("errors" not in e for b in later for e in b.get("incremental", ()))


async def test_a_deferred_list_the_upstream_cut_says_so_in_its_own_part(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # CardanoBI answers the collector's first 100 tokens only: the deferred holdings come
    # marked incomplete, HOLDINGS_INCOMPLETE in their `errors`, in the part that holds them
    # (read as data there, it is not repeated as a GraphQL error; unread, it would be one on
    # their path in that part: `test_a_soft_error_of_the_initial_part_goes_with_it`).
    query = """
    query Cut($algo: String!, $cardano: String!) {
      algo: account(source: ALGORAND, address: $algo) { holdings(first: 1) { nodes { rawAmount } } }
      cut: account(source: CARDANO, address: $cardano) {
        ... @defer(label: "cut") {
          holdings(first: 5) { nodes { rawAmount } totalCount complete errors { code } }
        }
      }
    }"""
    variables = {"algo": algod_data.SMALL, "cardano": cardano_data.COLLECTOR}
    answer = await post_for_parts(graph, query, variables)
    first, *later = answer.bodies
    assert "errors" not in first and first["data"]["cut"] == {}
    (entry,) = [e for b in later for e in b.get("incremental", ())]
    assert entry["label"] == "cut" and entry["path"] == ["cut"]
    holdings = entry["data"]["holdings"]
    assert len(holdings["nodes"]) == 5
    assert holdings["complete"] is False and holdings["totalCount"] is None
    assert holdings["errors"] == [{"code": "HOLDINGS_INCOMPLETE"}]
    assert all("errors" not in body for body in answer.bodies)
    assert "errors" not in entry
    whole = await graph.query(query.replace('... @defer(label: "cut")', "..."), variables)
    assert whole_from_2022(answer.bodies) == whole


#: Six accounts' pages, their holdings deferred, or the accounts and their nodes streamed;
#: their figures are above each limit's lowest setting (a leaf repeated for the selections).
_PAGE = "holdings(first: 100) { nodes %s { amount asset { symbol } " + "rawAmount " * 100 + "} }"
LIMITED = {
    "defer": "query Page($refs: [AccountRef!]!) { accounts(refs: $refs) "
    "{ address ... @defer { " + _PAGE % "" + " } } }",
    "stream": "query Page($refs: [AccountRef!]!) { accounts(refs: $refs) @stream(initialCount: 1) "
    "{ address " + _PAGE % "@stream(initialCount: 1)" + " } }",
}
REFS = {"refs": [{"source": "ALGORAND", "address": a} for a in algod_data.BENCH_ADDRESSES[:6]]}


def inline(query: str) -> str:
    return query.replace("... @defer {", "... {").replace("@stream(initialCount: 1)", "")


@pytest.mark.parametrize("directive", sorted(LIMITED))
@pytest.mark.parametrize(
    ("setting", "figure"),
    [
        ("max_query_selections", "selections"),
        ("max_response_fields", "fields"),
        ("max_upstream_calls", "upstream_calls"),
        ("max_query_cost", "cost"),
    ],
)
async def test_a_deferred_or_streamed_selection_counts_against_each_limit_as_it_does_inline(
    sandboxes: Sandboxes,
    clean: Sandboxes,
    http: aiohttp.ClientSession,
    directive: str,
    setting: str,
    figure: str,
) -> None:
    query = LIMITED[directive]
    figures = measure(schema._schema, parse(inline(query)), None, REFS, default_options())
    assert figures is not None
    counted = getattr(figures, figure)
    assert counted > 1
    # One under the figure of the same selections inline: refused before execution, as one
    # body (not in parts), with the same answer as inline, and nothing read upstream.
    async with serve_graph(sandboxes.settings(**{setting: counted - 1}), http) as graph:
        parted = await post_for_parts(graph, query, REFS)
        whole = await graph.query(inline(query), REFS)
    assert parted.status == 200 and parted.whole is not None and not parted.parts
    assert codes(parted.whole["errors"]) == ["QUERY_TOO_COMPLEX"]
    assert parted.whole == whole
    message = whole["errors"][0]["message"]
    assert f"is {counted}," in message and f"{setting.upper()}={counted - 1}" in message
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]
    # At the figure it runs, in parts: the directive is counted once, not more.
    async with serve_graph(sandboxes.settings(**{setting: counted}), http) as graph:
        parted = await post_for_parts(graph, query, REFS)
        whole = await graph.query(inline(query), REFS)
    assert len(parted.parts) >= 2 and "errors" not in whole
    assert whole_from_2022(parted.bodies) == whole


async def test_a_batch_of_deferred_and_streamed_operations_is_limited_as_a_whole(
    sandboxes: Sandboxes, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    queries = [LIMITED[directive] for directive in sorted(LIMITED)]
    estimates = [measure(schema._schema, parse(q), None, REFS, default_options()) for q in queries]
    calls = [figures.upstream_calls for figures in estimates if figures is not None]
    each, together = max(calls), sum(calls)
    batch = [{"query": query, "variables": REFS} for query in queries]
    async with serve_graph(sandboxes.settings(max_upstream_calls=each), http) as graph:
        alone = [await post_for_parts(graph, query, REFS) for query in queries]
        await clean.reset()
        headers = {"Accept": DEFER_2022}
        async with graph.http.post(graph.url, json=batch, headers=headers) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "application/json"
            answer = await response.json()
    assert all(len(parted.parts) >= 2 for parted in alone)  # each within the limit alone
    assert [codes(result["errors"]) for result in answer] == [["QUERY_TOO_COMPLEX"]] * 2
    message = answer[0]["errors"][0]["message"]
    assert f"upstream calls is {together} (its 2 operations together)" in message, message
    assert f"MAX_UPSTREAM_CALLS={each}" in message
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


async def test_the_deferred_parts_end_by_the_request_deadline(
    sandboxes: Sandboxes, calm: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await calm.calico.faults(latency_ms=6000)
    async with serve_graph(sandboxes.settings(request_deadline_seconds=1), http) as graph:
        answer = await post_for_parts(
            graph, SCREEN, ONCHAIN, headers=graph.headers("alice", calico=True)
        )
    last = answer.parts[-1]
    assert last.body["hasNext"] is False
    assert last.seconds < 4  # the deadline (1 s), not Calico's 6 s
    errors = [
        e for b in answer.bodies[1:] for i in b.get("incremental", ()) for e in i.get("errors", ())
    ]
    assert codes(errors) == ["UPSTREAM_TIMEOUT"]
    assert errors[0]["extensions"]["source"] == "CALICO"


async def test_parts_are_never_kept_by_a_shared_cache(graph: GraphClient, clean: Sandboxes) -> None:
    onchain = (
        "query A($address: String!) { account(source: ALGORAND, address: $address) "
        "{ chainId ... @defer { holdings(first: 1) { nodes { amount } } } } }"
    )
    anonymous = await post_for_parts(graph, onchain, ONCHAIN)
    assert len(anonymous.parts) == 2
    # Its headers went out before its deferred part's errors were known.
    assert anonymous.headers["Cache-Control"] == "no-store"
    # (`Origin` for CORS, `Accept-Encoding` as the parts may go compressed.)
    assert (
        anonymous.headers["Vary"]
        == "Accept, Authorization, X-Calico-Token, Origin, Accept-Encoding"
    )
    personal = await post_for_parts(
        graph, SCREEN, ONCHAIN, headers=graph.headers("alice", calico=True)
    )
    assert personal.headers["Cache-Control"] == "private, no-store"
    # The same query asked for one body is the usual public on-chain answer.
    async with graph.http.post(graph.url, json={"query": onchain, "variables": ONCHAIN}) as r:
        assert r.headers["Cache-Control"] == "public, max-age=15"


async def test_errors_of_deferred_parts_are_counted_by_their_codes(
    sandboxes: Sandboxes, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with serve_graph(sandboxes.settings(), http) as graph:
        before = await scrape(graph, http)
        await post_for_parts(graph, SCREEN, ONCHAIN, headers=graph.headers("alice", calico=True))
        after = await scrape(graph, http)
    errors = "holdings_graphql_errors_total"
    assert (
        total(after, errors, code="PROVIDER_ERROR") - total(before, errors, code="PROVIDER_ERROR")
        == 1
    )
    assert total(after, errors) - total(before, errors) == 1
    operations = "holdings_graphql_operations_total"
    assert total(after, operations, type="query") - total(before, operations, type="query") == 1


async def test_a_request_refused_before_execution_is_answered_as_one_body(
    graph: GraphClient, clean: Sandboxes
) -> None:
    invalid = await post_for_parts(graph, "{ viewer { ... @defer { nosuch } } }")
    assert invalid.status == 200 and invalid.whole is not None
    assert codes(invalid.whole["errors"]) == ["GRAPHQL_VALIDATION_FAILED"]
    # graphql-core's rules: @stream only on a list, labels unique and static.
    for query in (
        "{ viewer @stream { userId } }",
        '{ ... @defer(label: "a") { viewer { userId } } ... @defer(label: "a") { p: viewer '
        "{ userId } } }",
    ):
        refused = await post_for_parts(graph, query)
        assert refused.whole is not None, query
        assert codes(refused.whole["errors"]) == ["GRAPHQL_VALIDATION_FAILED"], refused.whole
    strict = await post_for_parts(
        graph,
        "{ viewer { ... @defer { nosuch } } }",
        accept="multipart/mixed;deferSpec=20220824, application/graphql-response+json",
    )
    assert strict.status == 400
    async with graph.http.post(
        graph.url,
        json={"query": "query A { viewer { ... @defer { userId } } }", "operationName": "B"},
        headers={"Accept": DEFER_2022},
    ) as response:
        assert response.status == 400
        assert "B" in (await response.json())["errors"][0]["message"]
    async with graph.http.get(
        graph.url,
        params={
            "query": "mutation { refreshHoldings(source: CALICO) "
            "{ accepted ... @defer { accepted } } }"
        },
        headers={"Accept": DEFER_2022},
    ) as response:
        assert response.status == 405 and response.headers["Allow"] == "POST"


async def test_a_query_by_get_is_sent_in_parts_too(graph: GraphClient, clean: Sandboxes) -> None:
    query = (
        "{ providers(first: 1) { nodes { slug } } "
        "... @defer { more: providers(first: 2) { nodes { slug } } } }"
    )
    async with graph.http.get(
        graph.url, params={"query": query}, headers={"Accept": DEFER_2022}
    ) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("multipart/mixed")
        reader = aiohttp.MultipartReader.from_response(r)
        bodies = []
        while (part := await reader.next()) is not None:
            assert isinstance(part, aiohttp.BodyPartReader)
            bodies.append(await part.json())
    assert bodies[0] == {"data": {"providers": {"nodes": [{"slug": "acorns"}]}}, "hasNext": True}
    assert bodies[1]["incremental"][0]["path"] == []
    assert bodies[1]["hasNext"] is False


async def test_a_client_accepting_only_parts_gets_one_json_body_when_nothing_is_deferred(
    graph: GraphClient,
) -> None:
    answer = await post_for_parts(
        graph,
        "{ providers(first: 1) { nodes { slug } } }",
        accept="multipart/mixed;deferSpec=20220824",
    )
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.whole == {"data": {"providers": {"nodes": [{"slug": "acorns"}]}}}


@pytest.mark.parametrize(
    ("accept", "spec"),
    [
        ("multipart/mixed;deferSpec=20220824, application/json", IncrementalSpec.DEFER_2022),
        ('multipart/mixed; deferSpec="20220824"', IncrementalSpec.DEFER_2022),
        ("multipart/mixed", IncrementalSpec.DEFER_2022),
        ("Multipart/Mixed;incrementalSpec=v0.2", IncrementalSpec.INCREMENTAL_V02),
        (
            "multipart/mixed;deferSpec=20220824;q=0.5, multipart/mixed;incrementalSpec=v0.2",
            IncrementalSpec.INCREMENTAL_V02,
        ),
        ("multipart/mixed;incrementalSpec=v0.2, multipart/mixed", IncrementalSpec.INCREMENTAL_V02),
        ("multipart/mixed;deferSpec=20220824;q=0", None),
        ("multipart/mixed;subscriptionSpec=1.0", None),  # a subscription's, not ours
        ("multipart/mixed;deferSpec=20990101", None),
        ("multipart/*, */*", None),
        ("application/json", None),
        (None, None),
    ],
)
def test_the_accept_header_names_the_format_of_the_parts(
    accept: str | None, spec: IncrementalSpec | None
) -> None:
    assert incremental_spec(accept) == spec


def test_the_2022_format_names_absolute_paths_item_indexes_and_failed_fragments() -> None:
    formatter = PartFormatter(IncrementalSpec.DEFER_2022)
    initial = formatter.initial(
        InitialIncrementalExecutionResult(
            data={"viewer": {"accounts": [{"source": "CALICO"}]}, "list": ["a", "b"]},
            pending=[
                PendingResult("0", ["viewer"], "more"),
                PendingResult("1", ["list"]),
                PendingResult("2", ["viewer", "accounts", 0]),
            ],
            has_next=True,
            extensions={},
        )
    )
    assert initial.body == {
        "data": {"viewer": {"accounts": [{"source": "CALICO"}]}, "list": ["a", "b"]},
        "hasNext": True,
    }
    later = formatter.subsequent(
        SubsequentIncrementalExecutionResult(
            has_next=True,
            incremental=[
                IncrementalDeferResult({"holdings": []}, "0", sub_path=["accounts", 0]),
                IncrementalStreamResult(["c"], "1"),
            ],
        )
    )
    assert later.body == {
        "incremental": [
            {"data": {"holdings": []}, "path": ["viewer", "accounts", 0], "label": "more"},
            {"items": ["c"], "path": ["list", 2]},
        ],
        "hasNext": True,
    }
    error = GraphQLError("failed", path=["viewer", "accounts", 0, "x"])
    last = formatter.subsequent(
        SubsequentIncrementalExecutionResult(
            has_next=False,
            incremental=[IncrementalStreamResult(["d"], "1")],
            completed=[CompletedResult("0"), CompletedResult("1"), CompletedResult("2", [error])],
        )
    )
    assert last.body == {
        "incremental": [
            {"items": ["d"], "path": ["list", 3]},
            {"data": None, "errors": [error.formatted], "path": ["viewer", "accounts", 0]},
        ],
        "hasNext": False,
    }


async def test_a_persisted_query_by_hash_alone_is_sent_in_parts(
    graph: GraphClient, clean: Sandboxes
) -> None:
    query = (
        "query Persisted { providers(first: 1) { nodes { slug } } "
        "... @defer { more: providers(first: 2) { nodes { slug } } } }"
    )
    digest = hashlib.sha256(query.encode()).hexdigest()
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    headers = {"Accept": DEFER_2022}
    first = {"query": query, "extensions": extensions}
    async with graph.http.post(graph.url, json=first, headers=headers) as response:
        assert response.headers["Content-Type"].startswith("multipart/mixed")
        await response.read()
    async with graph.http.post(graph.url, json={"extensions": extensions}, headers=headers) as r:
        assert r.status == 200 and r.headers["Content-Type"].startswith("multipart/mixed")
        reader = aiohttp.MultipartReader.from_response(r)
        bodies = []
        while (part := await reader.next()) is not None:
            assert isinstance(part, aiohttp.BodyPartReader)
            bodies.append(await part.json())
    assert bodies[0]["data"] == {"providers": {"nodes": [{"slug": "acorns"}]}}
    assert bodies[-1]["hasNext"] is False
    assert len(bodies[1]["incremental"][0]["data"]["more"]["nodes"]) == 2


async def test_a_client_that_leaves_after_the_first_part_ends_the_response_at_once(
    graph: GraphClient, calm: Sandboxes, http: aiohttp.ClientSession
) -> None:
    latency = 6.0
    await calm.calico.faults(latency_ms=int(latency * 1000))
    requests = "holdings_http_requests_total"
    before = total(await scrape(graph, http), requests, route="/graphql")
    headers = {"Accept": DEFER_2022, **graph.headers("alice", calico=True)}
    # Only Calico's part is deferred: nothing else would be sent (and fail) meanwhile.
    query = (
        'query Calico { account(source: CALICO, address: "alice") { source '
        "... @defer { holdings(first: 1) { nodes { amount } } } } }"
    )
    async with graph.http.post(graph.url, json={"query": query}, headers=headers) as response:
        reader = aiohttp.MultipartReader.from_response(response)
        part = await reader.next()
        assert isinstance(part, aiohttp.BodyPartReader)
        assert (await part.json()) == {"data": {"account": {"source": "CALICO"}}, "hasNext": True}
        response.close()  # the page went away
    left = time.monotonic()
    # The server ends the response (Starlette listens for the disconnect; graphql-core then
    # cancels the deferred execution) when the client goes, not when Calico's part would have
    # been ready. Calico's own call, in its DataLoader's batch, runs on to its end (bounded by
    # the request deadline).
    while total(await scrape(graph, http), requests, route="/graphql") == before:
        assert time.monotonic() - left < latency / 2, "the response outlived its client"
        await asyncio.sleep(0.05)
    assert await calm.calico.count(CALICO_ASSETS) == 0


def test_a_stream_inside_a_streamed_item_counts_from_that_items_own_list() -> None:
    formatter = PartFormatter(IncrementalSpec.DEFER_2022)
    formatter.initial(
        InitialIncrementalExecutionResult(
            data={"accounts": [{"h": ["a"]}]},
            pending=[PendingResult("0", ["accounts"])],
            has_next=True,
        )
    )
    # Account 1 comes with the first item of its own stream, and that stream's next item in the
    # same part.
    part = formatter.subsequent(
        SubsequentIncrementalExecutionResult(
            has_next=True,
            pending=[PendingResult("1", ["accounts", 1, "h"])],
            incremental=[
                IncrementalStreamResult(["c"], "1"),
                IncrementalStreamResult([{"h": ["b"]}], "0"),
            ],
        )
    )
    assert part.body is not None
    assert [e["path"] for e in part.body["incremental"]] == [
        ["accounts", 1, "h", 1],
        ["accounts", 1],
    ]
    last = formatter.subsequent(
        SubsequentIncrementalExecutionResult(
            has_next=False,
            incremental=[IncrementalStreamResult(["d"], "1")],
            completed=[CompletedResult("0"), CompletedResult("1")],
        )
    )
    assert last.body == {
        "incremental": [{"items": ["d"], "path": ["accounts", 1, "h", 2]}],
        "hasNext": False,
    }
