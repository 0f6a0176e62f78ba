"""Resilience seen through the graph: the settings reach each upstream (per-source timeouts and
concurrency, retries, breaker, CardanoBI's rate), the request's deadline reaches the loader
batches, and a refresh is never sent twice. Counted at the sandboxes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from tests.graph.support import ALGOD_ASSETS, CARDANOBI_ASSETS, CARDANOBI_TOKEN, codes
from tests.harness import GraphClient, Sandboxes, serve_graph

MARGIN = 1.0
"""Seconds of slack on the only upper bounds here (the issue's "timeout plus a small margin")."""

TWO_ACCOUNTS = """
query($algo: String!, $ada: String!) {
  algo: account(source: ALGORAND, address: $algo) {
    holdings(first: 5) { edges { node { rawAmount asset { assetId } } } }
  }
  ada: account(source: CARDANO, address: $ada) {
    holdings(first: 5) { edges { node { rawAmount asset { fingerprint } } } }
  }
}
"""
ACCOUNTS = """query($refs: [AccountRef!]!) {
  accounts(refs: $refs) { address holdings(first: 1) { edges { node { amount } } } } }"""
REFRESH = """mutation { refreshHoldings(source: CALICO) { accepted retryAfterSeconds } }"""
# `holdings(first: 5)`: the native balance (no asset id, no fingerprint) heads each list.
SMALL_ALGO: dict[str | None, str] = {None: str(algod_data.algo_balances()[algod_data.SMALL])}
SMALL_ALGO |= {
    str(h.asset_id): str(h.amount) for h in algod_data.account_holdings(algod_data.SMALL)
}
SMALL_ADA: dict[str | None, str] = {None: str(cardano_data.ada_balances()[cardano_data.SMALL])}
SMALL_ADA |= {t.fingerprint: str(t.quantity) for t in cardano_data.tokens()[cardano_data.SMALL][:4]}
VARIABLES = {"algo": algod_data.SMALL, "ada": cardano_data.SMALL}


@asynccontextmanager
async def graph_with(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, **settings: Any
) -> AsyncIterator[GraphClient]:
    """A server of its own, with `settings`, on sandboxes freshly reset (and reset after)."""
    await sandboxes.reset()
    try:
        async with serve_graph(sandboxes.settings(**settings), http) as graph:
            yield graph
    finally:
        await sandboxes.reset()


def _algo(body: dict[str, Any]) -> dict[str | None, str]:
    edges = body["data"]["algo"]["holdings"]["edges"]
    return {e["node"]["asset"]["assetId"]: e["node"]["rawAmount"] for e in edges}


def _ada(body: dict[str, Any]) -> dict[str | None, str]:
    edges = body["data"]["ada"]["holdings"]["edges"]
    return {e["node"]["asset"]["fingerprint"]: e["node"]["rawAmount"] for e in edges}


def _only_error(body: dict[str, Any]) -> dict[str, Any]:
    errors = body.get("errors", [])
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


async def test_a_sources_own_timeout_bounds_its_field_and_no_other(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with(
        sandboxes, http, upstream_timeout_seconds=10, algod_timeout_seconds=0.3
    ) as graph:
        await sandboxes.algod.faults(latency_ms=5000)
        started = time.monotonic()
        body = await graph.query(TWO_ACCOUNTS, VARIABLES)
        took = time.monotonic() - started
    error = _only_error(body)
    assert error["extensions"] == {"code": "UPSTREAM_TIMEOUT", "source": "ALGORAND"}
    assert error["path"] == ["algo", "holdings"] and "0.3 s" in error["message"]
    assert took < 0.3 + MARGIN
    assert _ada(body) == SMALL_ADA


async def test_the_request_deadline_reaches_the_loader_batches(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # The upstream timeout is 10 s: only the deadline, read in the batch's own task, can stop
    # the algod call after 0.5 s.
    async with graph_with(
        sandboxes, http, upstream_timeout_seconds=10, request_deadline_seconds=0.5
    ) as graph:
        await sandboxes.algod.faults(latency_ms=5000)
        started = time.monotonic()
        body = await graph.query(TWO_ACCOUNTS, VARIABLES)
        took = time.monotonic() - started
    error = _only_error(body)
    assert error["extensions"] == {"code": "UPSTREAM_TIMEOUT", "source": "ALGORAND"}
    assert "deadline" in error["message"]
    assert took < 0.5 + MARGIN
    assert _ada(body) == SMALL_ADA


async def test_each_request_gets_a_deadline_of_its_own(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with(sandboxes, http, request_deadline_seconds=1.0) as graph:
        await sandboxes.algod.faults(latency_ms=300)
        for _ in range(4):  # 4 x 0.3 s: more than one deadline, but each request has its own
            body = await graph.query(TWO_ACCOUNTS, VARIABLES)
            assert "errors" not in body, body["errors"]
            assert _algo(body) == SMALL_ALGO


async def test_the_server_retries_a_failing_read_and_answers_in_full(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with(sandboxes, http, upstream_max_attempts=3) as graph:
        await sandboxes.algod.faults(status=503, count=2, path="/assets")
        body = await graph.query(TWO_ACCOUNTS, VARIABLES)
        assert "errors" not in body, body["errors"]
        assert _algo(body) == SMALL_ALGO
        assert (await sandboxes.algod.stats())["routes"][ALGOD_ASSETS] == {"503": 2, "200": 1}


async def test_max_attempts_one_means_no_retry(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with(sandboxes, http, upstream_max_attempts=1) as graph:
        await sandboxes.algod.faults(status=503)
        body = await graph.query(TWO_ACCOUNTS, VARIABLES)
        assert codes(body) == ["UPSTREAM_UNAVAILABLE"]
        assert await sandboxes.algod.count(ALGOD_ASSETS) == 1


async def test_rate_limited_after_the_last_try_is_coded_with_retry_after(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.cardanobi.faults(status=429, retry_after=0, path="/api/core")
    body = await graph.query(TWO_ACCOUNTS, VARIABLES)
    error = _only_error(body)
    assert error["extensions"] == {
        "code": "UPSTREAM_RATE_LIMITED",
        "source": "CARDANO",
        "retryAfterSeconds": 0,
    }
    assert await clean.cardanobi.count(CARDANOBI_ASSETS, "429") == 3  # UPSTREAM_MAX_ATTEMPTS
    assert _algo(body) == SMALL_ALGO


async def test_a_refresh_that_meets_a_503_costs_exactly_one_request(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.calico.faults(status=503)
    body = await graph.query(REFRESH, user="bob", calico=True)
    assert codes(body) == ["UPSTREAM_UNAVAILABLE"]
    assert await clean.calico.count("POST /platform/v1/assets/refresh") == 1


async def test_an_open_circuit_fails_fast_probes_after_the_pause_and_closes(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with(
        sandboxes,
        http,
        upstream_max_attempts=1,
        # Each query reads ALGO's balance and a page of ASAs: two failed calls per query.
        breaker_failure_threshold=4,
        breaker_reset_seconds=0.5,
    ) as graph:
        await sandboxes.algod.faults(status=503)
        for _ in range(2):
            assert codes(await graph.query(TWO_ACCOUNTS, VARIABLES)) == ["UPSTREAM_UNAVAILABLE"]
        refused = await graph.query(TWO_ACCOUNTS, VARIABLES)
        error = _only_error(refused)
        assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
        assert "circuit is open" in error["message"]
        assert error["extensions"]["retryAfterSeconds"] == 1
        assert await sandboxes.algod.total() == 4  # none for the refused call
        assert _ada(refused) == SMALL_ADA
        await sandboxes.algod.faults()  # algod is back
        await asyncio.sleep(0.6)
        body = await graph.query(TWO_ACCOUNTS, VARIABLES)
        assert "errors" not in body, body["errors"]
        assert _algo(body) == SMALL_ALGO
        assert await sandboxes.algod.count(ALGOD_ASSETS, "200") == 1


async def test_cardanobi_calls_queue_for_the_rate_and_all_arrive(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    network = CARDANO_NETWORKS["mainnet"]
    refs = [
        {"source": "CARDANO", "address": stake_address(bytes([i + 1]) * 28, network)}
        for i in range(12)
    ]
    async with graph_with(
        sandboxes, http, cardanobi_rate_per_second=5, cardanobi_rate_burst=1
    ) as graph:
        started = time.monotonic()
        data = await graph.data(ACCOUNTS, {"refs": refs})
        took = time.monotonic() - started
        assert [a["address"] for a in data["accounts"]] == [r["address"] for r in refs]
        assert await sandboxes.cardanobi.count(CARDANOBI_ASSETS, "404") == 12
        assert await sandboxes.cardanobi.count(CARDANOBI_TOKEN) == 1
    # 12 API requests at 5/s after a burst of 1: at least 11 x 0.2 s (the token request spends
    # the identity server's own budget).
    assert took >= 2.0


async def test_a_per_source_concurrency_cap_holds_through_the_graph(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    network = CARDANO_NETWORKS["mainnet"]
    refs = [
        {"source": "CARDANO", "address": stake_address(bytes([i + 1]) * 28, network)}
        for i in range(8)
    ]
    async with graph_with(sandboxes, http, cardanobi_max_concurrency=2) as graph:
        await sandboxes.cardanobi.faults(latency_ms=100, path="/api/core")
        await graph.data(ACCOUNTS, {"refs": refs})
        stats = await sandboxes.cardanobi.stats()
    assert stats["routes"][CARDANOBI_ASSETS] == {"404": 8}
    assert stats["max_in_flight"] == 2


async def test_no_upstream_call_outlives_the_response(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # ALGO's balance and the first page of ASAs are read side by side; when one fails, the
    # field must still wait for the other (which may be retrying) before it answers.
    async with graph_with(
        sandboxes, http, upstream_max_attempts=3, upstream_retry_base_seconds=0.05
    ) as graph:
        await sandboxes.algod.faults(status=503)
        for _ in range(5):
            body = await graph.query(TWO_ACCOUNTS, VARIABLES)
            assert codes(body) == ["UPSTREAM_UNAVAILABLE"]
            answered = await sandboxes.algod.total()
            await asyncio.sleep(0.3)  # longer than every retry wait of the slower call
            assert await sandboxes.algod.total() == answered
