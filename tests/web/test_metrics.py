"""`GET /metrics` in the Prometheus text format, read after real traffic and compared with what
the sandboxes counted. Each test serves its own app: one registry per app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import CARDANOBI_ASSETS
from tests.harness import GraphClient, Sandboxes, serve_graph

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

HOLDINGS = """
query($a: String!) { account(source: ALGORAND, address: $a) { holdings(first: 2) { totalCount } } }
"""
ADA_HOLDINGS = """
query($a: String!) { account(source: CARDANO, address: $a) { holdings(first: 2) { totalCount } } }
"""


@pytest_asyncio.fixture
async def fresh(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    await sandboxes.reset()
    async with serve_graph(sandboxes.settings(), http) as client:
        yield client


async def scrape(graph: GraphClient, http: aiohttp.ClientSession) -> Samples:
    url = graph.url.removesuffix("/graphql") + "/metrics"
    async with http.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every sample of `name` that has `labels` (and any other labels)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


async def test_upstream_requests_are_counted_by_source_and_outcome(
    fresh: GraphClient, sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    for address in (algod_data.SMALL, algod_data.WHALE, algod_data.EMPTY):
        await fresh.data(HOLDINGS, {"a": address})
    served = await sandboxes.algod.total()
    assert served >= 3
    samples = await scrape(fresh, http)
    ok = {"source": "ALGORAND", "outcome": "ok"}
    assert total(samples, "holdings_upstream_requests_total", **ok) == served
    count = total(samples, "holdings_upstream_request_duration_seconds_count", source="ALGORAND")
    assert count == served


async def test_upstream_endpoint_labels_never_hold_an_address(
    fresh: GraphClient, http: aiohttp.ClientSession
) -> None:
    await fresh.data(HOLDINGS, {"a": algod_data.SMALL})
    samples = await scrape(fresh, http)
    endpoints = {
        label
        for name, labels in samples
        if name.startswith("holdings_upstream_")
        for key, label in labels
        if key == "endpoint"
    }
    assert endpoints
    assert not any(algod_data.SMALL in endpoint for endpoint in endpoints), endpoints


async def test_failed_upstream_requests_are_counted_with_their_outcome(
    fresh: GraphClient, sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await sandboxes.cardanobi.faults(status=503, path="/assets")
    body = await fresh.query(ADA_HOLDINGS, {"a": cardano_data.SMALL})
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    failed = await sandboxes.cardanobi.count(CARDANOBI_ASSETS, "503")
    assert failed >= 1
    samples = await scrape(fresh, http)
    labels = {"source": "CARDANO", "outcome": "unavailable"}
    assert total(samples, "holdings_upstream_requests_total", **labels) == failed
    assert value(samples, "holdings_graphql_errors_total", code="UPSTREAM_UNAVAILABLE") == 1


async def test_operations_are_counted_by_type_and_errors_by_code(
    fresh: GraphClient, http: aiohttp.ClientSession
) -> None:
    await fresh.data("{ __typename }")
    await fresh.data("query { __typename }")
    await fresh.query('{ account(source: ALGORAND, address: "not-an-address") { address } }')
    await fresh.query("{ nope }")
    samples = await scrape(fresh, http)
    assert value(samples, "holdings_graphql_operations_total", type="query") == 4
    assert value(samples, "holdings_graphql_errors_total", code="BAD_USER_INPUT") == 1
    assert value(samples, "holdings_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1


async def test_refused_queries_are_counted_as_query_too_complex(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with serve_graph(sandboxes.settings(max_query_aliases=1), http) as graph:
        await graph.query("{ a: __typename b: __typename }")
        samples = await scrape(graph, http)
    assert value(samples, "holdings_graphql_errors_total", code="QUERY_TOO_COMPLEX") == 1


async def test_the_document_cache_counts_its_hits_and_misses(
    fresh: GraphClient, http: aiohttp.ClientSession
) -> None:
    # A text no other test sends, so its first parse is a miss whatever ran before.
    query = "{ providers(first: 1) { totalCount } } # test_metrics cache probe"
    for _ in range(3):
        await fresh.data(query)
    samples = await scrape(fresh, http)
    assert value(samples, "holdings_cache_misses_total", cache="parse") == 1
    assert value(samples, "holdings_cache_hits_total", cache="parse") == 2
    assert value(samples, "holdings_cache_misses_total", cache="validation") == 1
    assert value(samples, "holdings_cache_hits_total", cache="validation") == 2


async def test_every_breaker_starts_closed(fresh: GraphClient, http: aiohttp.ClientSession) -> None:
    samples = await scrape(fresh, http)
    for source in ("ALGORAND", "CARDANO", "CALICO", "MESH"):
        assert ("holdings_upstream_breaker_state", frozenset({("source", source)})) in samples
        assert value(samples, "holdings_upstream_breaker_state", source=source) == 0


async def test_http_requests_are_counted_by_route_and_status(
    fresh: GraphClient, http: aiohttp.ClientSession
) -> None:
    await fresh.data("{ __typename }")
    base = fresh.url.removesuffix("/graphql")
    async with http.get(base + "/no-such-page") as response:
        assert response.status == 404
    samples = await scrape(fresh, http)
    name = "holdings_http_requests_total"
    assert value(samples, name, method="POST", route="/graphql", status="200") == 1
    assert value(samples, name, method="GET", route="other", status="404") == 1
