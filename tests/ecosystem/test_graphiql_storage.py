"""GraphiQL keeps no credential in the browser: headless Chromium runs alice's viewer query with
her bearer token and Calico token in the Headers tab, then every key of localStorage and
sessionStorage, and Playwright's whole storage state (cookies, localStorage, IndexedDB), are read
back, after the run and after a reload. GraphiQL's tabs and history are still saved, without
their headers (`node/graphiql-storage.mjs` drives Chromium)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest_asyncio

from tests.ecosystem.node_tools import node, run_tool
from tests.harness import CALICO_TOKENS, GraphClient

VIEWER = "query AliceHoldings { viewer { userId accounts { source } } }"


@pytest_asyncio.fixture(scope="module")
async def ran(graph: GraphClient) -> dict[str, Any]:
    token = graph.token("alice")
    headers = json.dumps(
        {"Authorization": f"Bearer {token}", "X-Calico-Token": CALICO_TOKENS["alice"]}
    )
    # Opened on the query (a shared GraphiQL link): the default query's hint names the sandbox's
    # Calico token, which a tab saved with it would otherwise hold.
    url = graph.url + "?" + urlencode({"q": VIEWER})
    finished = await run_tool(node(), "graphiql-storage.mjs", url, VIEWER, headers)
    assert finished.returncode == 0, finished.stderr
    report: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    report["token"] = token
    return report


def _secrets(ran: dict[str, Any]) -> list[str]:
    token = ran["token"]
    # The whole JWT, and each of its parts (a store could keep the signature alone).
    return [token, *token.split("."), CALICO_TOKENS["alice"]]


async def test_the_query_ran_with_the_headers(ran: dict[str, Any]) -> None:
    result = json.loads(ran["result"])
    assert result["data"]["viewer"]["userId"] == "alice"
    assert [a["source"] for a in result["data"]["viewer"]["accounts"]] == ["CALICO", "MESH"]


async def test_no_store_holds_a_token_after_the_run_or_after_a_reload(
    ran: dict[str, Any],
) -> None:
    for name in ("afterRun", "state", "afterReload"):
        stored = json.dumps(ran[name])
        for secret in _secrets(ran):
            assert secret not in stored, f"{name} holds a credential"
        assert "Bearer" not in stored, name


async def test_graphiql_still_saves_its_tabs_and_history_without_headers(
    ran: dict[str, Any],
) -> None:
    local = ran["afterRun"]["local"]
    history = json.loads(local["graphiql:queries"])["queries"]
    assert [entry["query"] for entry in history] == [VIEWER]
    assert all(entry["headers"] is None for entry in history)
    tabs = json.loads(local["graphiql:tabState"])["tabs"]
    assert any(tab["query"] == VIEWER for tab in tabs)
    assert all(tab["headers"] is None for tab in tabs)
    assert "graphiql:headers" not in local
    assert ran["afterRun"]["session"] == {}


async def test_a_reload_keeps_the_history_and_forgets_the_headers(ran: dict[str, Any]) -> None:
    history = json.loads(ran["afterReload"]["local"]["graphiql:queries"])["queries"]
    assert [entry["query"] for entry in history] == [VIEWER]
    assert ran["headersAfterReload"] == ""


async def test_the_page_loaded_nothing_from_outside_and_raised_nothing(
    ran: dict[str, Any],
) -> None:
    assert ran["foreign"] == []
    assert ran["problems"] == []
