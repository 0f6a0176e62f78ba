"""The cold accounts of the bench: 100 distinct algod accounts with a full S1 page each, served
only by the bench's sandbox option, and read by the graph like any other account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio

from bench.cold_accounts import COLD_HOLDINGS, ColdAlgodSandbox, cold_addresses, cold_holdings
from bench.compare import probe_exactness
from bench.peers.exactness import Exactness, expected_amounts
from bench.systems import system
from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN
from sources.algod.sandbox_data import WHALE, account_holdings, holdings
from sources.sandboxing import RunningSandbox, start_sandbox
from tests.graph.support import ALGOD_ACCOUNT, ALGOD_ASSETS
from tests.harness import Sandboxes, SandboxHandle, serve_graph

ACCOUNTS = 100
AUTH = {"X-Algo-API-Token": SANDBOX_ALGOD_TOKEN}


@pytest_asyncio.fixture(scope="module")
async def cold() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(ColdAlgodSandbox(accounts=ACCOUNTS))
    try:
        yield running
    finally:
        await running.close()


async def _get(http: aiohttp.ClientSession, url: str, **params: str) -> tuple[int, Any]:
    async with http.get(url, params=params, headers=AUTH) as response:
        return response.status, await response.json()


def test_there_are_100_distinct_accounts_of_100_holdings_unknown_to_the_default_ledger() -> None:
    addresses = cold_addresses(ACCOUNTS)
    assert len(set(addresses)) == ACCOUNTS
    assert not set(addresses) & set(holdings())
    for address in addresses:
        held = cold_holdings(address)
        assert len(held) == COLD_HOLDINGS
        assert [h.asset_id for h in held] == sorted({h.asset_id for h in held})
    # Like the whale's, some amounts are past what a double holds exactly.
    amounts = [h.amount for address in addresses for h in cold_holdings(address)]
    assert sum(1 for amount in amounts if float(amount) != amount) > 100


async def test_each_cold_account_answers_one_full_page(
    cold: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    for address in cold_addresses(ACCOUNTS):
        status, body = await _get(http, f"{cold.url}/v2/accounts/{address}/assets", limit="100")
        assert status == 200
        assert "next-token" not in body
        assert [e["asset-holding"]["asset-id"] for e in body["asset-holdings"]] == [
            h.asset_id for h in cold_holdings(address)
        ]


async def test_a_cold_account_pages_like_algod(
    cold: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    address = cold_addresses(ACCOUNTS)[7]
    seen: list[int] = []
    params = {"limit": "30"}
    for _ in range(10):
        status, body = await _get(http, f"{cold.url}/v2/accounts/{address}/assets", **params)
        assert status == 200
        seen += [e["asset-holding"]["asset-id"] for e in body["asset-holdings"]]
        if "next-token" not in body:
            break
        params["next"] = body["next-token"]
    assert seen == [h.asset_id for h in cold_holdings(address)]
    assert len(seen) == COLD_HOLDINGS


async def test_a_cold_accounts_balance_counts_its_holdings(
    cold: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    address = cold_addresses(ACCOUNTS)[0]
    status, body = await _get(http, f"{cold.url}/v2/accounts/{address}", exclude="all")
    assert status == 200
    assert body["total-assets-opted-in"] == COLD_HOLDINGS
    assert body["amount"] == expected_amounts(address)["NATIVE"]
    assert "assets" not in body
    status, full = await _get(http, f"{cold.url}/v2/accounts/{address}")
    assert status == 200 and len(full["assets"]) == COLD_HOLDINGS


async def test_bad_input_about_a_cold_account_gets_algods_own_errors(
    cold: RunningSandbox, http: aiohttp.ClientSession
) -> None:
    address = cold_addresses(ACCOUNTS)[0]
    url = f"{cold.url}/v2/accounts/{address}/assets"
    status, body = await _get(http, url, limit="0")
    assert (status, body["message"]) == (400, "limit parameter must be a positive integer")
    async with http.get(url, headers={"X-Algo-API-Token": "b" * 64}) as response:
        assert response.status == 401


async def test_other_accounts_are_served_as_by_the_default_sandbox(
    cold: RunningSandbox, sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    status, body = await _get(http, f"{cold.url}/v2/accounts/{WHALE}/assets", limit="100")
    assert status == 200
    assert [e["asset-holding"] for e in body["asset-holdings"]] == [
        h.to_json() for h in account_holdings(WHALE)[:100]
    ]
    # ... and the default sandbox knows nothing of the cold accounts.
    address = cold_addresses(ACCOUNTS)[0]
    status, body = await _get(http, f"{sandboxes.algod.url}/v2/accounts/{address}/assets")
    assert (status, body["asset-holdings"]) == (200, [])


async def test_the_graph_reads_each_cold_account_exactly_in_two_requests(
    cold: RunningSandbox, sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    handle = SandboxHandle(http, cold.url, "algod")
    addresses = cold_addresses(ACCOUNTS)[:10]
    async with serve_graph(sandboxes.settings(algod_url=cold.url), http) as graph:
        await handle.reset()
        exactness = await probe_exactness(system("graph"), graph.url, addresses, http)
        routes = (await handle.stats())["routes"]
    assert exactness == Exactness(100 * len(addresses), 100 * len(addresses))
    assert {route: sum(by.values()) for route, by in routes.items()} == {
        ALGOD_ACCOUNT: len(addresses),
        ALGOD_ASSETS: len(addresses),
    }
