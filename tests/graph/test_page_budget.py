"""How many upstream pages one connection page reads: as many as `first + 1` items need, no
page fetched twice, and a bounded scan for filters the graph applies itself."""

from __future__ import annotations

from typing import Any

import aiohttp

from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import (
    CARDANOBI_ASSETS,
    HOLDINGS_PAGE,
    assert_well_formed_walk,
    tokens_after_native,
    walk_holdings,
)
from tests.harness import GraphClient, Sandboxes, serve_graph

COLLECTOR = cardano_data.COLLECTOR
FINGERPRINTS = sorted(t.fingerprint for t in cardano_data.tokens()[COLLECTOR])


async def _holdings_page(graph: GraphClient, first: int, after: str | None) -> dict[str, Any]:
    variables = {"source": "CARDANO", "address": COLLECTOR, "first": first, "after": after}
    page: dict[str, Any] = (await graph.data(HOLDINGS_PAGE, variables))["account"]["holdings"]
    return page


async def test_a_cursor_inside_an_upstream_page_resumes_there_without_reading_before_it(
    graph: GraphClient, odata: Sandboxes
) -> None:
    # ADA heads the list; the graph asks CardanoBI for 99 tokens at a time (one less than its
    # cap), so the cursor after the 100th token lies inside the second answer.
    clean = odata
    ada = await _holdings_page(graph, 1, None)
    first = await _holdings_page(graph, 100, ada["pageInfo"]["endCursor"])
    await clean.reset()
    await clean.cardanobi.settings(odata=True)
    data = await _holdings_page(graph, 100, first["pageInfo"]["endCursor"])
    nodes = [edge["node"]["asset"]["fingerprint"] for edge in data["edges"]]
    assert nodes == FINGERPRINTS[100:200]
    # from the 101st token (`$skip=100`), and the next answer for the 201st item that says
    # another page exists; nothing before the cursor again
    assert await clean.cardanobi.count(CARDANOBI_ASSETS) == 2


async def test_first_is_independent_of_a_tiny_upstream_page_size(
    odata: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with serve_graph(odata.settings(cardanobi_page_size=1), http) as graph:
        walk = await walk_holdings(graph, "CARDANO", COLLECTOR, 60)
    assert_well_formed_walk(walk, 60)
    assert [n["asset"]["fingerprint"] for n in tokens_after_native(walk)] == FINGERPRINTS
    # Each token's page once, one empty answer past the end, and each page's look-ahead for its
    # (first + 1)-th item, which the next request reads again (loaders live one request).
    look_aheads = len(walk.pages) - 1
    assert await odata.cardanobi.count(CARDANOBI_ASSETS) == 250 + 1 + look_aheads


async def test_a_bounded_filtered_scan_can_always_be_resumed(
    odata: Sandboxes, http: aiohttp.ClientSession
) -> None:
    wanted = FINGERPRINTS[-1]
    name = next(t.name for t in cardano_data.tokens()[COLLECTOR] if t.fingerprint == wanted)
    async with serve_graph(odata.settings(cardanobi_page_size=1), http) as graph:
        walk = await walk_holdings(graph, "CARDANO", COLLECTOR, 5, filter={"symbols": [name]})
    assert [n["asset"]["fingerprint"] for n in walk.nodes] == [wanted]
    assert len(walk.pages) > 1, "the scan stopped early and was resumed"
    for page in walk.pages[:-1]:
        assert page["pageInfo"]["hasNextPage"] is True
        assert page["pageInfo"]["endCursor"] is not None
    assert walk.pages[-1]["pageInfo"]["hasNextPage"] is False


FILTERED_ACCOUNTS = """query($refs: [AccountRef!]!) {
  accounts(refs: $refs) {
    holdings(first: 1, filter: {symbols: ["NOPE"]}) {
      edges { node { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


async def test_the_scans_of_one_request_share_one_page_budget(
    odata: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # One token per CardanoBI page: unbounded, 20 filtered scans would read every page of
    # every account (hundreds); bounded, each reads the pages its first item needs (4) and all
    # together at most MAX_SCANNED_PAGES (50) more.
    addresses = cardano_data.BENCH_STAKE_ADDRESSES
    every_page = sum(len(cardano_data.tokens()[a]) for a in addresses)
    assert every_page > 50 + 4 * len(addresses)  # so the bound below can fail
    refs = [{"source": "CARDANO", "address": address} for address in addresses]
    try:
        async with serve_graph(odata.settings(cardanobi_page_size=1), http) as graph:
            data = await graph.data(FILTERED_ACCOUNTS, {"refs": refs})
            read = await odata.cardanobi.count(CARDANOBI_ASSETS)
    finally:
        await odata.reset()
    assert read <= 50 + 4 * len(addresses)
    pages = [account["holdings"] for account in data["accounts"]]
    assert all(page["edges"] == [] for page in pages)
    # A scan the budget cut short says so, and its cursor resumes it.
    assert any(page["pageInfo"]["hasNextPage"] for page in pages)
    assert all(
        page["pageInfo"]["endCursor"] is not None
        for page in pages
        if page["pageInfo"]["hasNextPage"]
    )
