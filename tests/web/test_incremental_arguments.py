"""Bad `@defer`/`@stream` arguments are refused before anything runs, with a coded error naming
the bad value, both in one JSON body and when the client asks for parts (`multipart/mixed`):
never INTERNAL_SERVER_ERROR, and no upstream is asked (counted on the sandboxes)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes
from tests.web.incremental_client import DEFER_2022, post_for_parts

#: Every account of this list is read from algod: a request that runs asks it.
ACCOUNTS = (
    "accounts(refs: [{source: ALGORAND, address: $algo}]) @stream(initialCount: %s) "
    "{ source holdings(first: 1) { nodes { rawAmount } } }"
)
LONG = "9" * 5000

#: (case, query, variables, code, what the message must name).
REFUSED: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "negative literal",
        "query($algo: String!) { " + ACCOUNTS % "-1" + " }",
        {},
        "BAD_USER_INPUT",
        "-1",
    ),
    (
        "null literal",
        "query($algo: String!) { " + ACCOUNTS % "null" + " }",
        {},
        "BAD_USER_INPUT",
        "null",
    ),
    (
        "negative variable",
        "query($algo: String!, $n: Int) { " + ACCOUNTS % "$n" + " }",
        {"n": -1},
        "BAD_USER_INPUT",
        "not -1 (variable $n)",
    ),
    (
        "null variable",
        "query($algo: String!, $n: Int) { " + ACCOUNTS % "$n" + " }",
        {"n": None},
        "BAD_USER_INPUT",
        "null",
    ),
    (
        "negative default of a variable",
        "query($algo: String!, $n: Int = -2) { " + ACCOUNTS % "$n" + " }",
        {},
        "BAD_USER_INPUT",
        "-2",
    ),
    (
        "negative variable in a fragment",
        "query($algo: String!, $n: Int) { ...F } fragment F on Query { " + ACCOUNTS % "$n" + " }",
        {"n": -7},
        "BAD_USER_INPUT",
        "-7",
    ),
    (
        "null if of a stream, by a variable",
        "query($algo: String!, $s: Boolean = true) { "
        "accounts(refs: [{source: ALGORAND, address: $algo}]) @stream(if: $s) { source } }",
        {"s": None},
        "BAD_USER_INPUT",
        "not null (variable $s)",
    ),
    (
        "null if of a defer, by a variable",
        "query($algo: String!, $d: Boolean = true) { "
        "accounts(refs: [{source: ALGORAND, address: $algo}]) { ... @defer(if: $d) { source } } }",
        {"d": None},
        "BAD_USER_INPUT",
        "not null (variable $d)",
    ),
    (
        "non-integer variable",
        "query($algo: String!, $n: Int) { " + ACCOUNTS % "$n" + " }",
        {"n": 1.5},
        "BAD_USER_INPUT",
        "1.5",
    ),
    (
        "string variable",
        "query($algo: String!, $n: Int) { " + ACCOUNTS % "$n" + " }",
        {"n": "ten"},
        "BAD_USER_INPUT",
        "ten",
    ),
    (
        "huge string variable",
        "query($algo: String!, $n: Int) { " + ACCOUNTS % "$n" + " }",
        {"n": LONG},
        "BAD_USER_INPUT",
        "9999",
    ),
    (
        "float literal",
        "query($algo: String!) { " + ACCOUNTS % "2.5" + " }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "2.5",
    ),
    (
        "variable of another type",
        "query($algo: String!, $n: String) { " + ACCOUNTS % "$n" + " }",
        {"n": "2"},
        "BAD_USER_INPUT",
        "$n",
    ),
    (
        "label not unique",
        'query($algo: String!) { viewer { ... @defer(label: "twice") { userId } } '
        'a: accounts(refs: [{source: ALGORAND, address: $algo}]) @stream(label: "twice") '
        "{ source } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
        '"twice"',
    ),
    (
        "label from a variable",
        "query($algo: String!, $l: String) { "
        "accounts(refs: [{source: ALGORAND, address: $algo}]) @stream(label: $l) { source } }",
        {"l": "x"},
        "GRAPHQL_VALIDATION_FAILED",
        "$l",
    ),
    (
        "defer on the mutation root",
        'mutation { ... @defer(label: "m") { refreshHoldings(source: CALICO) { accepted } } }',
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "Mutation",
    ),
    (
        "stream on a non-list field",
        "query($algo: String!) { account(source: ALGORAND, address: $algo) @stream { address } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "'account'",
    ),
]


async def upstream_requests(sandboxes: Sandboxes) -> int:
    return sum([await handle.total() for handle in sandboxes.all()])


def check_refusal(body: dict[str, Any], code: str, named: str) -> None:
    errors = body["errors"]
    assert body.get("data") is None, body
    assert [error["extensions"]["code"] for error in errors] == [code], errors
    message = errors[0]["message"]
    assert named in message, message
    assert len(message) < 400, message  # the value, truncated


@pytest.mark.parametrize(
    ("query", "variables", "code", "named"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
async def test_bad_defer_and_stream_arguments_are_refused_before_any_upstream_call(
    graph: GraphClient,
    clean: Sandboxes,
    query: str,
    variables: dict[str, Any],
    code: str,
    named: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    variables = {"algo": algod_data.SMALL, **variables}
    headers = graph.headers("alice", calico=True)
    status, whole = await graph.post(query, variables, headers=headers)
    assert status == 200, whole
    check_refusal(whole, code, named)
    parts = await post_for_parts(graph, query, variables, accept=DEFER_2022, headers=headers)
    assert parts.status == 200 and parts.whole is not None, parts.bodies
    check_refusal(parts.whole, code, named)
    assert await upstream_requests(clean) == 0
    # A client's mistake: logged at INFO, never as an unexpected error.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_good_stream_arguments_still_run(graph: GraphClient, clean: Sandboxes) -> None:
    """The counterpart of the refusals: the same operations with good values reach algod."""
    query = "query($algo: String!, $n: Int) { " + ACCOUNTS % "$n" + " }"
    for count in (0, 1, 5, None):
        variables = {"algo": algod_data.SMALL, **({} if count is None else {"n": count})}
        status, whole = await graph.post(query, variables)
        assert status == 200 and "errors" not in whole, whole
        assert whole["data"]["accounts"][0]["source"] == "ALGORAND"
        parts = await post_for_parts(graph, query, variables)
        # Nothing left to stream (one account): one body.
        bodies = parts.bodies or [parts.whole or {}]
        assert parts.status == 200 and all("errors" not in body for body in bodies), bodies
        assert isinstance(bodies[0]["data"]["accounts"], list)
    # Nor is a selection the operation leaves out checked.
    skipped = (
        "query($algo: String!, $n: Int) { accounts(refs: [{source: ALGORAND, address: $algo}]) "
        "@skip(if: true) @stream(initialCount: $n) { source } }"
    )
    status, whole = await graph.post(skipped, {"algo": algod_data.SMALL, "n": -1})
    assert status == 200 and whole == {"data": {}}, whole
    # The check reads only the executed operation's variables.
    other = (
        "query A($algo: String!) { accounts(refs: [{source: ALGORAND, address: $algo}]) "
        "@stream(initialCount: 1) { source } } "
        "query B($n: Int) { providers(first: 1) { nodes @stream(initialCount: $n) { slug } } }"
    )
    async with graph.http.post(
        graph.url,
        json={"query": other, "operationName": "A", "variables": {"algo": algod_data.SMALL}},
    ) as response:
        body = await response.json()
    assert response.status == 200 and "errors" not in body, body
    assert await upstream_requests(clean) > 0
