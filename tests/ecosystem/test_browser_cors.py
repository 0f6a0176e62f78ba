"""CORS in a real browser: headless Chromium opens pages served from other loopback origins than
the graph's, and each page calls the graph with fetch(), a bearer token and a Calico token.

    http://127.0.0.1:P   allowed by CORS_ALLOW_ORIGINS            -> shows alice's data
    http://localhost:P   allowed by CORS_ALLOW_ORIGIN_PATTERNS    -> shows alice's data
    http://127.0.0.1:Q   allowed by neither                       -> fetch fails in the page

The pages come from a tiny static server of this test (`node/cors.mjs` drives Chromium); their
call is the `fetch` of docs/web-apps.md, as written there but for the graph's URL.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest_asyncio

from tests.docs_examples import snippet
from tests.ecosystem.node_tools import node, run_tool
from tests.ecosystem.pages import serve_page
from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes, serve_graph

VIEWER = """{ viewer { userId accounts { source
  holdings(first: 3) { nodes { amount asset { symbol } provider { slug } } } } } }"""
PAGE = """<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A web app on another origin</title>
    <link rel="icon" href="data:," /></head>
  <body>
    <pre id="result">calling the graph…</pre>
    <script>
      const CALL = __CALL__;
      const graph = new URLSearchParams(window.location.search).get("graph");
      const result = document.getElementById("result");
      function show(outcome, text) {
        result.textContent = text;
        result.dataset.outcome = outcome;
      }
      async function call(token, calicoToken, query, variables) {
__FETCH__
        return response;
      }
      call(CALL.token, CALL.calico, CALL.query, {})
        .then(async (response) => {
          const body = await response.json();
          const requestId = response.headers.get("X-Request-Id");
          show("data", JSON.stringify({ status: response.status, requestId, body }));
        })
        .catch((error) => show("refused", String(error)));
    </script>
  </body>
</html>
"""


def documented_fetch() -> str:
    """docs/web-apps.md's call from a page, to the page's `graph` URL."""
    documented = snippet("js", 'fetch("https://graph.example.com/graphql"')
    assert documented.count('"https://graph.example.com/graphql"') == 1
    return documented.replace('"https://graph.example.com/graphql"', "graph")


@asynccontextmanager
async def static_site(call: dict[str, str]) -> AsyncIterator[int]:
    """A server of one page that makes `call` to the graph at its `?graph=` URL, on a loopback
    port (yielded)."""
    html = PAGE.replace("__CALL__", json.dumps(call).replace("</", "<\\/"))
    html = html.replace("__FETCH__", documented_fetch())
    async with serve_page(html) as port:
        yield port


@pytest_asyncio.fixture(scope="module")
async def shown(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[dict[str, Any]]:
    """What Chromium showed on each page, what alice gets without a browser, and the graph's
    request counts."""
    call = {"token": GraphClient.token("alice"), "calico": CALICO_TOKENS["alice"], "query": VIEWER}
    async with static_site(call) as allowed, static_site(call) as refused:
        settings = sandboxes.settings(
            cors_allow_origins=f"http://127.0.0.1:{allowed}",
            cors_allow_origin_patterns="http://localhost:*",
        )
        async with serve_graph(settings, http) as graph:
            direct = await graph.query(VIEWER, user="alice", calico=True)
            pages = [
                f"http://127.0.0.1:{allowed}/",
                f"http://localhost:{allowed}/",
                f"http://127.0.0.1:{refused}/",
            ]
            query = "?" + urlencode({"graph": graph.url})
            finished = await run_tool(node(), "cors.mjs", *(page + query for page in pages))
            assert finished.returncode == 0, finished.stderr
            async with http.get(graph.url.removesuffix("graphql") + "metrics") as response:
                metrics = await response.text()
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    yield {"report": report, "direct": direct, "metrics": metrics}


def _requests(metrics: str, method: str, status: str) -> float:
    pattern = (
        rf'holdings_http_requests_total\{{method="{method}",route="/graphql",'
        rf'status="{status}"\}} ([0-9.e+]+)'
    )
    found = re.search(pattern, metrics)
    return float(found.group(1)) if found else 0.0


def _page(shown: dict[str, Any], index: int) -> dict[str, Any]:
    page: dict[str, Any] = shown["report"]["pages"][index]
    return page


async def test_a_page_of_an_allowed_origin_shows_alices_data(shown: dict[str, Any]) -> None:
    page = _page(shown, 0)
    assert page["origin"].startswith("http://127.0.0.1:")
    assert page["outcome"] == "data", page
    answer = json.loads(page["text"])
    assert answer["status"] == 200
    assert answer["body"] == shown["direct"]
    assert answer["body"]["data"]["viewer"]["userId"] == "alice"
    sources = [account["source"] for account in answer["body"]["data"]["viewer"]["accounts"]]
    assert sources == ["CALICO", "MESH"]
    assert answer["requestId"], "X-Request-Id is exposed to the page"


async def test_a_page_allowed_by_a_pattern_shows_alices_data(shown: dict[str, Any]) -> None:
    page = _page(shown, 1)
    assert page["origin"].startswith("http://localhost:")
    assert page["outcome"] == "data", page
    assert json.loads(page["text"])["body"] == shown["direct"]


async def test_a_page_of_another_origin_is_refused_before_its_call_is_sent(
    shown: dict[str, Any],
) -> None:
    page = _page(shown, 2)
    assert page["outcome"] == "refused", page
    assert "Failed to fetch" in page["text"]
    print(f"refused page: {page['text']}; console: {page['console']}")
    assert any("CORS policy" in line for line in page["console"]), page["console"]
    # Chromium asked first (the call carries Authorization) and, refused, never sent the POST:
    # two preflights answered, one refused, three POSTs (the allowed pages' and this test's own).
    metrics = shown["metrics"]
    assert _requests(metrics, "OPTIONS", "200") == 2
    assert _requests(metrics, "OPTIONS", "400") == 1
    assert _requests(metrics, "POST", "200") == 3


async def test_the_pages_load_nothing_from_outside_the_machine(shown: dict[str, Any]) -> None:
    assert shown["report"]["foreign"] == []
    assert all(page["problems"] == [] for page in shown["report"]["pages"])
