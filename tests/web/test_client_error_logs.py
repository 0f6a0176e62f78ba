"""A client's mistakes are logged as client errors: one INFO line with the codes and where, no
traceback, no value the client sent; only the unexpected is logged at ERROR (schema/errors.py).
Read from the JSON log of a real `python server.py` (telemetry/logging.py)."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import aiohttp

from tests.harness import Sandboxes
from tests.web.incremental_client import DEFER_2022
from tests.web.test_serving import server_process

#: A value no log line may repeat: a variable can hold anything, a secret included.
SENT = "not-a-decimal-s3cr3t-4f1c"
MISTAKES: list[tuple[str, dict[str, Any], str]] = [
    (
        "query($m: Decimal) { portfolio(accounts: [], includeViewer: false) {"
        " byAsset(first: 1, filter: {minValueUsd: $m}) { nodes { key } } } }",
        {"m": SENT},
        "client error: BAD_USER_INPUT in variable $m",
    ),
    (
        "query($f: Int) { providers(first: $f) { nodes { slug } } }",
        {"f": SENT},
        "client error: BAD_USER_INPUT in variable $f",
    ),
    (
        f'{{ account(source: ALGORAND, address: "{SENT}") {{ address }} nope }}',
        {},
        "client error: GRAPHQL_VALIDATION_FAILED at line 1, column",
    ),
    (
        "{ providers(first: 0) { nodes { slug } } }",
        {},
        "client error: BAD_USER_INPUT at ['providers']",
    ),
    ("{ providers(first: ", {}, "client error: GRAPHQL_PARSE_FAILED at line 1, column"),
]


async def test_client_mistakes_are_logged_at_info_without_traceback_or_value(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with server_process(sandboxes) as served:
        for number, (query, variables, _) in enumerate(MISTAKES):
            payload = {"query": query, "variables": variables}
            headers = {"X-Request-Id": f"mistake-{number}"}
            async with http.post(served.url + "/graphql", json=payload, headers=headers) as answer:
                body = await answer.json()
            assert body["errors"], body
        served.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(served.process.wait(), timeout=30)
    records = served.records()
    for number, (_, _, expected) in enumerate(MISTAKES):
        mine = [r for r in records if r["request_id"] == f"mistake-{number}"]
        logged = [r for r in mine if r["logger"] == "holdings_graph.errors"]
        assert len(logged) == 1, mine
        (record,) = logged
        assert record["level"] == "INFO"
        assert record["message"].startswith(expected), record
        assert record["client_error"] is True
        assert "exception" not in record
    assert not [r for r in records if r["level"] in ("ERROR", "CRITICAL")]
    assert SENT not in "\n".join(served.lines)
    assert "Traceback" not in "\n".join(served.lines)


async def test_a_mistake_in_a_deferred_part_is_logged_as_a_client_error(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    """The errors of a part sent after the first are logged on their way out (Strawberry hands
    only the first part's to the schema): a client's mistake there is a client error too."""
    query = (
        "{ providers(first: 1) { nodes { slug } }"
        " ... @defer { later: providers(first: 0) { nodes { slug } } } }"
    )
    async with server_process(sandboxes) as served:
        headers = {"X-Request-Id": "deferred-mistake", "Accept": DEFER_2022}
        async with http.post(served.url + "/graphql", json={"query": query}, headers=headers) as r:
            assert r.headers["Content-Type"].startswith("multipart/mixed")
            text = await r.text()
        assert "BAD_USER_INPUT" in text
        served.process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(served.process.wait(), timeout=30)
    mine = [r for r in served.records() if r["request_id"] == "deferred-mistake"]
    logged = [r for r in mine if r["logger"] == "holdings_graph.errors"]
    assert [(r["level"], r["client_error"]) for r in logged] == [("INFO", True)], mine
    assert logged[0]["message"].startswith("client error: BAD_USER_INPUT at ['later']")
    assert not [r for r in mine if r["level"] in ("ERROR", "CRITICAL")]
