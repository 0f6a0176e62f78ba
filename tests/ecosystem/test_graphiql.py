"""GraphiQL in a real browser: headless Debian Chromium opens `/graphql`, runs the query GraphiQL
opens with, and the rendered result is the sandboxes' data. Nothing is fetched from a CDN.

`node/graphiql.mjs` drives Chromium with playwright-core; a screenshot is saved as
`test-output/graphiql.png`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from tests.ecosystem.node_tools import TEST_OUTPUT, node, run_tool
from tests.harness import GraphClient
from web.graphiql import GraphiQLPage

SCREENSHOT = TEST_OUTPUT / "graphiql.png"


def _prepare_output() -> None:
    TEST_OUTPUT.mkdir(exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)


def _png_size() -> int:
    with SCREENSHOT.open("rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
    return SCREENSHOT.stat().st_size


@pytest_asyncio.fixture(scope="module")
async def rendered(graph: GraphClient) -> dict[str, Any]:
    _prepare_output()
    finished = await run_tool(node(), "graphiql.mjs", graph.url, str(SCREENSHOT))
    assert finished.returncode == 0, finished.stderr
    report: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return report


async def test_graphiql_opens_with_a_query_over_the_sandbox_whale(rendered: dict[str, Any]) -> None:
    assert algod_data.WHALE in rendered["query"]
    assert "Authorization" in rendered["query"]  # the bearer-token hint


async def test_running_graphiqls_default_query_renders_the_whales_holdings(
    rendered: dict[str, Any],
) -> None:
    result = json.loads(rendered["result"])
    assert "errors" not in result, result
    account = result["data"]["account"]
    assert account["address"] == algod_data.WHALE
    whale = algod_data.account_holdings(algod_data.WHALE)
    shown = account["holdings"]["nodes"]
    # The native ALGO balance heads the list, then the ASAs in algod's order.
    expected = [str(algod_data.algo_balances()[algod_data.WHALE])]
    expected += [str(h.amount) for h in whale[: len(shown) - 1]]
    assert [node["rawAmount"] for node in shown] == expected
    assert len(shown) > 1 and shown[0]["asset"]["symbol"] == "ALGO"
    assert shown[1]["asset"]["symbol"] == algod_data.assets()[whale[0].asset_id].unit_name
    assert [provider["slug"] for provider in account["providers"]] == ["algorand"]


async def test_graphiql_loads_nothing_from_outside_the_server(rendered: dict[str, Any]) -> None:
    assert rendered["foreign"] == []
    assert rendered["problems"] == []


async def test_graphiql_leaves_a_screenshot(rendered: dict[str, Any]) -> None:
    assert _png_size() > 10_000


def test_no_default_query_can_close_the_pages_script() -> None:
    hostile = "</script><script>alert(1)</script>"
    assert hostile not in GraphiQLPage(hostile).html


async def test_every_file_the_page_names_is_served_by_the_app(graph: GraphClient) -> None:
    async with graph.http.get(graph.url, headers={"Accept": "text/html"}) as response:
        page = await response.text()
    names = re.findall(r'(?:src|href)="(graphiql/assets/[^"]+)"', page)
    assert len(names) == 6
    for name in names:
        async with graph.http.get(urljoin(graph.url, name)) as asset:
            assert asset.status == 200, name
            assert len(await asset.read()) > 500, name
