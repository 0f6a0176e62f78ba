"""Each benchmark scenario costs its theoretical minimum of upstream requests.

The scenario's operation (exactly what `python -m bench.run` sends) runs once to warm the
process-wide state (CardanoBI's bearer token), then once more with the sandboxes' counters at
zero. The expected figures are derived here from the sandbox data: what one request to each
upstream can answer, never from the server's code.
"""

from __future__ import annotations

import math

import aiohttp
import pytest

from bench.scenarios import SCENARIOS, Scenario
from sources.algod import sandbox_data as algod_data
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CALICO_ASSETS,
    CARDANOBI_ACCOUNT,
    CARDANOBI_ASSETS,
    MESH_PORTFOLIO,
)
from tests.harness import GraphClient, Sandboxes

ALGOD_MAX_LIMIT = 1000  # algod's MaxAssetResults (UPSTREAMS.md §1.2)


def _scenario(key: str) -> Scenario:
    return next(scenario for scenario in SCENARIOS if scenario.key == key)


async def _counted(
    key: str, graph: GraphClient, sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> dict[str, dict[str, int]]:
    """Requests per sandbox and route of one warm operation of scenario `key`."""
    scenario = _scenario(key)
    headers = graph.headers("alice", calico=True) if scenario.needs_user else {}
    operation = scenario.operation(graph.url, headers)
    await operation(http, 0)
    await sandboxes.reset()
    await operation(http, 1)
    counts: dict[str, dict[str, int]] = {}
    for handle in sandboxes.all():
        routes = (await handle.stats())["routes"]
        counts[handle.name] = {route: sum(by.values()) for route, by in routes.items()}
    return counts


def _total(counts: dict[str, dict[str, int]]) -> int:
    return sum(sum(routes.values()) for routes in counts.values())


def _bench_holdings(address: str) -> int:
    return len(algod_data.account_holdings(address))


async def test_s1_reads_the_balance_and_one_asset_page(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    counts = await _counted("S1", graph, clean, http)
    assert counts == {
        "algod": {ALGOD_ACCOUNT: 1, ALGOD_ASSETS: 1},
        "cardanobi": {},
        "calico": {},
        "mesh": {},
    }
    assert _scenario("S1").min_upstream == _total(counts)


async def test_s2_reads_each_source_once_for_pages_and_portfolio(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # Both Algorand wallets fit in one algod page, so their first page and the portfolio's
    # read of every holding are one request each.
    for address in algod_data.BENCH_ADDRESSES[:2]:
        assert _bench_holdings(address) < ALGOD_MAX_LIMIT
    counts = await _counted("S2", graph, clean, http)
    assert counts == {
        "algod": {ALGOD_ACCOUNT: 2, ALGOD_ASSETS: 2},
        "cardanobi": {CARDANOBI_ACCOUNT: 1, CARDANOBI_ASSETS: 1},
        "calico": {CALICO_ASSETS: 1},
        "mesh": {MESH_PORTFOLIO: 1},
    }
    assert _scenario("S2").min_upstream == _total(counts)


async def test_s3_reads_one_balance_and_one_page_per_address(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    counts = await _counted("S3", graph, clean, http)
    assert counts["algod"] == {ALGOD_ACCOUNT: 50, ALGOD_ASSETS: 50}
    assert _scenario("S3").min_upstream == _total(counts)


async def test_s4_walk_reads_the_balance_once_and_each_page_once(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # ALGO heads the list, then every ASA: pages of 100 of them.
    pages = math.ceil((algod_data.WHALE_ASSET_COUNT + 1) / 100)
    counts = await _counted("S4", graph, clean, http)
    assert counts["algod"] == {ALGOD_ACCOUNT: 1, ALGOD_ASSETS: pages}
    assert _scenario("S4").min_upstream == _total(counts)


async def test_s5_reads_each_distinct_address_once(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    distinct = len(set((algod_data.BENCH_ADDRESSES * 2)[:100]))
    counts = await _counted("S5", graph, clean, http)
    assert counts["algod"] == {ALGOD_ACCOUNT: distinct, ALGOD_ASSETS: distinct}
    assert _scenario("S5").min_upstream == _total(counts)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.key)
def test_every_scenario_states_a_minimum(scenario: Scenario) -> None:
    assert scenario.min_upstream >= 1
