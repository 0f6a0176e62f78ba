"""Compression in a real browser: headless Chromium loads GraphiQL (page and files sent in brotli,
or in gzip when Chromium is made to ask for gzip alone) and, from that page, fetches the whale's
100-holding page; it decodes everything (GraphiQL renders, the JSON parses), and its resource
timing shows the bytes on the wire and decoded (`node/compression.mjs`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from tests.ecosystem.node_tools import node, run_tool
from tests.harness import GraphClient
from tests.web.test_compression import PAGE

ASSETS = "/graphiql/assets/"
SMALL_FILE = "plugin-explorer.css"  # 755 bytes: under COMPRESSION_MIN_BYTES


@pytest_asyncio.fixture(scope="module", params=["br", "gzip"])
async def loaded(request: pytest.FixtureRequest, graph: GraphClient) -> dict[str, Any]:
    encoding = request.param
    variables = json.dumps({"a": algod_data.WHALE})
    # Chromium asks for "gzip, deflate, br, zstd" by itself; for gzip it is told to ask for it.
    extra = [] if encoding == "br" else ["gzip"]
    finished = await run_tool(node(), "compression.mjs", graph.url, PAGE, variables, *extra)
    assert finished.returncode == 0, finished.stderr
    report: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    report["expected"] = encoding
    return report


async def test_graphiqls_page_and_files_arrive_compressed_and_render(
    loaded: dict[str, Any],
) -> None:
    encoding = loaded["expected"]
    encodings = {r["url"].split("/")[-1]: r["encoding"] for r in loaded["responses"]}
    assert encodings["graphiql.min.js"] == encoding
    assert encodings["graphiql.min.css"] == encoding
    assert encodings["react-dom.production.min.js"] == encoding
    assert encodings[SMALL_FILE] is None
    assert loaded["problems"] == [] and loaded["foreign"] == []


async def test_the_page_reads_the_100_holding_json_chromium_decoded(
    loaded: dict[str, Any],
) -> None:
    fetched = loaded["fetched"]
    assert fetched["status"] == 200
    edges = fetched["body"]["data"]["account"]["holdings"]["edges"]
    assert len(edges) == 100
    whale = algod_data.account_holdings(algod_data.WHALE)
    assert edges[1]["node"]["rawAmount"] == str(whale[0].amount)


async def test_what_crossed_the_wire_is_a_fraction_of_what_the_page_used(
    loaded: dict[str, Any],
) -> None:
    timing = loaded["timing"]
    files = [t for t in timing if ASSETS in t["url"]]
    graphiql = next(t for t in files if t["url"].endswith("graphiql.min.js"))
    assert graphiql["encodedBodySize"] < graphiql["decodedBodySize"] / 4
    # The last /graphql entry is the page's fetch of the 100 holdings.
    holdings = [t for t in timing if t["url"].endswith("/graphql")][-1]
    assert holdings["encodedBodySize"] < holdings["decodedBodySize"] / 5
    # The page itself (the navigation entry, first) and its files.
    everything = [timing[0], *files]
    decoded = sum(t["decodedBodySize"] for t in everything)
    encoded = sum(t["encodedBodySize"] for t in everything)
    print(
        f"{loaded['expected']}: GraphiQL {decoded} bytes decoded, {encoded} on the wire; "
        f"100 holdings {holdings['decodedBodySize']} decoded, {holdings['encodedBodySize']} sent"
    )
    assert decoded > 4_000_000
    assert encoded < decoded / 3
