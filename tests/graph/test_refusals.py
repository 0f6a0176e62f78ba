"""Refusals that are not outages, through the graph: Calico's end-user codes (601-603: an
expired session) ask the user to re-authenticate and never count as Calico down (its circuit
stays closed, `/readyz` and `/metrics` say so, other users' reads go on); algod's 403 is its
provider's spent quota; neither is retried. Counted at the sandboxes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sources.algod import sandbox_data as algod_data
from tests.graph.support import ALGOD_ACCOUNT, ALGOD_ASSETS, CALICO_ASSETS, codes
from tests.harness import GraphClient, Sandboxes, serve_graph

DAVE = "sandbox-calico-dave"
"""dave's Calico session has expired: the sandbox answers his every request with 603."""
ALICE = "sandbox-calico-alice"
CALICO_REFRESH = "POST /platform/v1/assets/refresh"
CALICO_HOLDINGS = """
{ viewer { accounts { source holdings(first: 100) { totalCount nodes { asset { symbol } } } } } }
"""
REFRESH = "mutation { refreshHoldings(source: CALICO) { accepted retryAfterSeconds } }"
ALGO_HOLDINGS = """query($a: String!) {
  account(source: ALGORAND, address: $a) { holdings(first: 3) { nodes { amount } } } }"""


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


def _error(body: dict[str, Any], code: str) -> dict[str, Any]:
    matching = [e for e in body.get("errors", []) if e["extensions"]["code"] == code]
    assert len(matching) == 1, body.get("errors")
    error: dict[str, Any] = matching[0]
    return error


async def _calico_breaker(graph: GraphClient, http: aiohttp.ClientSession) -> tuple[str, float]:
    """CALICO's breaker as `/readyz` shows it, and its `/metrics` gauge (0 closed, 2 open)."""
    base = graph.url.removesuffix("/graphql")
    async with http.get(base + "/readyz") as response:
        ready = (await response.json())["upstreams"]["CALICO"]["breaker"]
    return ready, await _metric(graph, http, "holdings_upstream_breaker_state", source="CALICO")


async def _metric(
    graph: GraphClient, http: aiohttp.ClientSession, name: str, **labels: str
) -> float:
    async with http.get(graph.url.removesuffix("/graphql") + "/metrics") as response:
        text = await response.text()
    wanted = set(labels.items())
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and wanted <= set(sample.labels.items())
    )


@pytest.mark.parametrize(
    ("user", "token", "fault", "meaning"),
    [
        ("dave", DAVE, None, "603 Authentication Failed"),
        ("alice", ALICE, 601, "601 Customer Not Found"),
        ("alice", ALICE, 602, "602 Customer Not Authorized"),
    ],
)
async def test_calicos_end_user_codes_tell_the_user_to_re_authenticate(
    graph: GraphClient,
    clean: Sandboxes,
    user: str,
    token: str,
    fault: int | None,
    meaning: str,
) -> None:
    if fault is not None:
        await clean.calico.faults(status=fault)
    body = await graph.query(CALICO_HOLDINGS, user=user, calico=token)
    error = _error(body, "UPSTREAM_UNAUTHENTICATED")
    assert error["extensions"] == {"code": "UPSTREAM_UNAUTHENTICATED", "source": "CALICO"}
    assert error["path"] == ["viewer", "accounts", 0, "holdings"]
    assert meaning in error["message"]
    assert "re-authenticate with Calico" in error["message"]
    assert "X-Calico-Token" in error["message"] and token not in str(body)
    calico, mesh = body["data"]["viewer"]["accounts"]
    assert (calico["source"], calico["holdings"]["nodes"]) == ("CALICO", [])
    assert mesh["source"] == "MESH", "the user's other account still answers"
    # Not retried: a retry cannot renew the user's session.
    assert await clean.calico.count(CALICO_ASSETS) == 1


async def test_a_refresh_for_an_expired_session_asks_to_re_authenticate_once(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(REFRESH, user="dave", calico=DAVE)
    assert codes(body) == ["UPSTREAM_UNAUTHENTICATED"]
    assert "re-authenticate" in body["errors"][0]["message"]
    assert await clean.calico.routes(CALICO_REFRESH) == {"603": 1}


async def test_expired_sessions_never_open_calicos_circuit_for_the_other_users(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    threshold = 3
    async with graph_with(
        sandboxes, http, breaker_failure_threshold=threshold, breaker_reset_seconds=60
    ) as graph:
        # Twice as many refused users as it takes outages to open the circuit.
        for _ in range(2 * threshold):
            body = await graph.query(CALICO_HOLDINGS, user="dave", calico=DAVE)
            assert codes(body) == ["UPSTREAM_UNAUTHENTICATED"]
        assert await _calico_breaker(graph, http) == ("closed", 0)
        unauthenticated = await _metric(
            graph, http, "holdings_upstream_requests_total", outcome="unauthenticated"
        )
        assert unauthenticated == 2 * threshold
        assert (
            await _metric(graph, http, "holdings_upstream_requests_total", outcome="unavailable")
            == 0
        )

        # Another user's Calico read still goes to Calico and answers in full.
        body = await graph.query(CALICO_HOLDINGS, user="alice", calico=True)
        assert codes(body) == ["PROVIDER_ERROR"]  # alice's own failing binance, as always
        assert body["data"]["viewer"]["accounts"][0]["holdings"]["totalCount"] is None
        assert len(body["data"]["viewer"]["accounts"][0]["holdings"]["nodes"]) == 75
        assert await sandboxes.calico.routes(CALICO_ASSETS) == {"603": 2 * threshold, "206": 1}

        # The same breaker does open on an outage: `threshold` failing calls, then none is sent.
        await sandboxes.calico.faults(status=500)
        for _ in range(threshold):
            body = await graph.query(CALICO_HOLDINGS, user="bob", calico=True)
            assert codes(body) == ["UPSTREAM_UNAVAILABLE"]
        body = await graph.query(CALICO_HOLDINGS, user="alice", calico=True)
        assert "circuit is open" in _error(body, "UPSTREAM_UNAVAILABLE")["message"]
        assert await _calico_breaker(graph, http) == ("open", 2)
        assert await sandboxes.calico.count(CALICO_ASSETS, "500") == threshold


async def test_a_spent_algod_quota_is_quota_exceeded_not_unauthorized(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # The sandbox plays Nodely's 403 once the day's quota is spent.
    await clean.algod.settings(daily_quota=0)
    body = await graph.query(ALGO_HOLDINGS, {"a": algod_data.SMALL})
    error = _error(body, "UPSTREAM_QUOTA_EXCEEDED")
    assert error["extensions"] == {"code": "UPSTREAM_QUOTA_EXCEEDED", "source": "ALGORAND"}
    assert "quota is spent" in error["message"] and "credentials" not in error["message"]
    assert body["data"]["account"]["holdings"]["nodes"] == []
    # Read side by side, the balance and the first page: one request each, neither retried.
    stats = (await clean.algod.stats())["routes"]
    assert (stats[ALGOD_ACCOUNT], stats[ALGOD_ASSETS]) == ({"403": 1}, {"403": 1})
