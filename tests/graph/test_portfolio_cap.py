"""The portfolio reads at most `PORTFOLIO_MAX_HOLDINGS` holdings of one account: past it, the
account counts its first holdings in list order and `errors` says it was cut short."""

from __future__ import annotations

import aiohttp

from sources.algod import sandbox_data as algod_data
from tests.harness import Sandboxes, serve_graph

QUERY = """
query($accounts: [AccountRef!]) {
  portfolio(accounts: $accounts, includeViewer: false) {
    holdingsCount
    bySource { source holdingsCount complete }
    errors { source code message account { address } }
  }
}
"""


async def test_an_account_past_the_cap_is_cut_there_and_reported(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await sandboxes.reset()
    cap = 1000
    assert len(algod_data.account_holdings(algod_data.WHALE)) + 1 > cap
    accounts = [
        {"source": "ALGORAND", "address": algod_data.WHALE},
        {"source": "ALGORAND", "address": algod_data.SMALL},
    ]
    async with serve_graph(sandboxes.settings(portfolio_max_holdings=cap), http) as graph:
        body = await graph.query(QUERY, {"accounts": accounts})
    portfolio = body["data"]["portfolio"]
    small = 1 + len(algod_data.account_holdings(algod_data.SMALL))
    assert portfolio["holdingsCount"] == cap + small
    assert portfolio["bySource"] == [
        {"source": "ALGORAND", "holdingsCount": cap + small, "complete": False}
    ]
    [error] = portfolio["errors"]
    assert error["code"] == "HOLDINGS_TRUNCATED"
    assert error["account"] == {"address": algod_data.WHALE}
    assert str(cap) in error["message"]
