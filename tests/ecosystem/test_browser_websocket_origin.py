"""WebSocket subscriptions from pages of other origins, in headless Chromium: browsers apply no
CORS to WebSockets, so the graph checks the handshake's `Origin` against the CORS settings.

    http://127.0.0.1:P   allowed by CORS_ALLOW_ORIGINS   -> its page shows the first event
    http://127.0.0.1:Q   not allowed                     -> the handshake is refused (403)

Each page opens `new WebSocket(url, "graphql-transport-ws")` and speaks the protocol itself
(`connection_init`, `subscribe`); `node/cors.mjs` drives Chromium and reports what it showed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest_asyncio

from tests.ecosystem.node_tools import node, run_tool
from tests.ecosystem.pages import serve_page
from tests.harness import Sandboxes, serve_graph
from tests.live.conftest import LIVE_SETTINGS
from tests.live.support import HOLDINGS, SMALL, holdings_of

PAGE = """<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>A live page on another origin</title>
    <link rel="icon" href="data:," /></head>
  <body>
    <pre id="result">subscribing…</pre>
    <script>
      const CALL = __CALL__;
      const graph = new URLSearchParams(window.location.search).get("graph");
      const result = document.getElementById("result");
      function show(outcome, text) {
        if (result.dataset.outcome) return;
        result.textContent = text;
        result.dataset.outcome = outcome;
      }
      let opened = false;
      const socket = new WebSocket(graph.replace(/^http/, "ws"), "graphql-transport-ws");
      socket.onopen = () => {
        opened = true;
        socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
      };
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === "connection_ack") {
          socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: CALL }));
        } else if (message.type === "ping") {
          socket.send(JSON.stringify({ type: "pong" }));
        } else if (message.type === "next") {
          show("data", JSON.stringify(message.payload));
          socket.close(1000);
        }
      };
      socket.onclose = (event) => show("refused", JSON.stringify({ code: event.code, opened }));
    </script>
  </body>
</html>
"""


@pytest_asyncio.fixture(scope="module")
async def shown(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[dict[str, Any]]:
    """What Chromium showed on each page, and how many algod requests the graph made."""
    call = {"query": HOLDINGS, "variables": holdings_of("ALGORAND", SMALL)}
    html = PAGE.replace("__CALL__", json.dumps(call).replace("</", "<\\/"))
    async with serve_page(html) as allowed, serve_page(html) as refused:
        await sandboxes.algod.reset()
        settings = sandboxes.settings(
            cors_allow_origins=f"http://127.0.0.1:{allowed}", **LIVE_SETTINGS
        )
        async with serve_graph(settings, http, ws="websockets-sansio") as graph:
            query = "?" + urlencode({"graph": graph.url})
            pages = [f"http://127.0.0.1:{port}/{query}" for port in (allowed, refused)]
            finished = await run_tool(node(), "cors.mjs", *pages)
            assert finished.returncode == 0, finished.stderr
        requests = await sandboxes.algod.total()
    yield {"report": json.loads(finished.stdout.strip().splitlines()[-1]), "algod": requests}


async def test_a_page_of_an_allowed_origin_gets_the_first_event(shown: dict[str, Any]) -> None:
    page = shown["report"]["pages"][0]
    assert page["outcome"] == "data", page
    event = json.loads(page["text"])["data"]["holdingsChanged"]
    assert event["initial"] is True
    assert event["account"] == {"source": "ALGORAND", "address": SMALL}
    assert event["holdingsCount"] > 0


async def test_a_page_of_another_origin_is_refused_at_the_handshake(shown: dict[str, Any]) -> None:
    page = shown["report"]["pages"][1]
    assert page["outcome"] == "refused", page
    closed = json.loads(page["text"])
    # The socket never opened: 1006, the code a browser gives a handshake that failed.
    assert closed == {"code": 1006, "opened": False}, closed
    print(f"refused page console: {page['console']}")
    assert any("403" in line for line in page["console"]), page["console"]
    # Only the allowed page's subscription read the account.
    assert shown["algod"] > 0
    assert all(p["problems"] == [] for p in shown["report"]["pages"])
    assert shown["report"]["foreign"] == []
