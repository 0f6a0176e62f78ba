"""The shared cache of public reads and the single flight, in one process.

Every expectation is a number of upstream requests the sandboxes counted, or data from the
sandboxes' data modules. The harness turns the cache off (`public_cache_ttl_seconds=0`); each
test here serves its own graph with the TTL it needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CALICO_ASSETS,
    CARDANOBI_ACCOUNT,
    CARDANOBI_ASSETS,
    MESH_PORTFOLIO,
    codes,
)
from tests.harness import GraphClient, Sandboxes, SandboxHandle, serve_graph
from tests.redis_server import start_redis

HOLDINGS = """
query Holdings($source: Source!, $address: String!) {
  account(source: $source, address: $address) {
    holdings(first: 5) { nodes { id amount fetchedAt asset { assetId fingerprint } } }
  }
}
"""
ADDRESS = algod_data.SMALL
STAKE_ADDRESS = cardano_data.SMALL
ALGORAND = {"source": "ALGORAND", "address": ADDRESS}
CARDANO = {"source": "CARDANO", "address": STAKE_ADDRESS}
LONG_TTL = 60.0


@asynccontextmanager
async def graph_with_cache(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, ttl: float, **settings: Any
) -> AsyncIterator[GraphClient]:
    async with serve_graph(
        sandboxes.settings(public_cache_ttl_seconds=ttl, **settings), http
    ) as client:
        yield client


def expected_algorand_ids(first: int) -> list[str | None]:
    """ALGO (no asset id) heads the list, then the account's assets in ascending id."""
    return [None, *(str(h.asset_id) for h in algod_data.account_holdings(ADDRESS))][:first]


def asset_ids(data: dict[str, Any]) -> list[str | None]:
    return [node["asset"]["assetId"] for node in data["account"]["holdings"]["nodes"]]


async def counts(handle: SandboxHandle, *routes: str) -> list[int]:
    return [await handle.count(route) for route in routes]


async def test_two_requests_within_the_ttl_cost_one_algod_request_per_route(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        first = await graph.data(HOLDINGS, ALGORAND)
        second = await graph.data(HOLDINGS, ALGORAND)
    assert asset_ids(first) == expected_algorand_ids(5)
    assert second == first
    assert await counts(clean.algod, ALGOD_ASSETS, ALGOD_ACCOUNT) == [1, 1]


async def test_two_requests_within_the_ttl_cost_one_cardanobi_request_per_route(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        first = await graph.data(HOLDINGS, CARDANO)
        second = await graph.data(HOLDINGS, CARDANO)
    fingerprints = [n["asset"]["fingerprint"] for n in first["account"]["holdings"]["nodes"]]
    tokens = [t.fingerprint for t in cardano_data.tokens()[STAKE_ADDRESS]]
    assert fingerprints == [None, *tokens][:5]
    assert second == first
    assert await counts(clean.cardanobi, CARDANOBI_ASSETS, CARDANOBI_ACCOUNT) == [1, 1]


async def test_after_the_ttl_the_upstream_is_read_again(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    ttl = 0.3
    async with graph_with_cache(clean, http, ttl) as graph:
        await graph.data(HOLDINGS, ALGORAND)
        await asyncio.sleep(ttl + 0.3)
        await graph.data(HOLDINGS, ALGORAND)
    assert await counts(clean.algod, ALGOD_ASSETS, ALGOD_ACCOUNT) == [2, 2]


async def test_a_cached_answer_keeps_the_time_it_was_read_as_fetched_at(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        first = await graph.data(HOLDINGS, ALGORAND)
        await asyncio.sleep(0.05)
        second = await graph.data(HOLDINGS, ALGORAND)
    times = [[n["fetchedAt"] for n in d["account"]["holdings"]["nodes"]] for d in (first, second)]
    assert all(time is not None for time in times[0])
    assert times[1] == times[0]
    assert await clean.algod.count(ALGOD_ASSETS) == 1


PORTFOLIO_AS_OF = """
query AsOf($address: String!) {
  portfolio(accounts: [{source: ALGORAND, address: $address}], includeViewer: false) {
    asOf holdingsCount
  }
}
"""


async def test_a_portfolio_from_cached_reads_keeps_the_as_of_of_the_first_read(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        first = await graph.data(PORTFOLIO_AS_OF, {"address": ADDRESS})
        await asyncio.sleep(0.05)
        second = await graph.data(PORTFOLIO_AS_OF, {"address": ADDRESS})
    assert first["portfolio"]["asOf"] is not None
    assert second == first
    assert await clean.algod.count(ALGOD_ASSETS) == 1


async def test_twenty_concurrent_identical_requests_share_one_upstream_request(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # The cache is off: only the single flight can fold the twenty GraphQL requests' reads.
    await clean.algod.faults(latency_ms=1000)
    async with graph_with_cache(clean, http, 0) as graph:
        answers = await asyncio.gather(*(graph.data(HOLDINGS, ALGORAND) for _ in range(20)))
    assert all(answer == answers[0] for answer in answers)
    assert asset_ids(answers[0]) == expected_algorand_ids(5)
    assert await counts(clean.algod, ALGOD_ASSETS, ALGOD_ACCOUNT) == [1, 1]


async def test_concurrent_identical_requests_share_one_failure(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await clean.algod.faults(latency_ms=1000, status=400, path="/assets")
    async with graph_with_cache(clean, http, 0) as graph:
        bodies = await asyncio.gather(*(graph.query(HOLDINGS, ALGORAND) for _ in range(10)))
    assert all(codes(body) == ["UPSTREAM_BAD_RESPONSE"] for body in bodies), bodies[0]
    assert await clean.algod.count(ALGOD_ASSETS) == 1


@pytest.mark.parametrize("status", [400, 404], ids=["bad-request", "route-missing"])
async def test_a_failed_read_is_not_cached(
    clean: Sandboxes, http: aiohttp.ClientSession, status: int
) -> None:
    # 404 is a status the client accepts (and turns into an error): still not cached.
    await clean.algod.faults(status=status, path="/assets", count=1)
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        failed = await graph.query(HOLDINGS, ALGORAND)
        answered = await graph.data(HOLDINGS, ALGORAND)
    assert codes(failed), failed
    assert asset_ids(answered) == expected_algorand_ids(5)
    assert await clean.algod.count(ALGOD_ASSETS) == 2


@pytest.mark.parametrize(
    "body",
    ['{"round": 1, "asset-holdings": "not a list"}', "<html>not json</html>"],
    ids=["wrong-shape", "not-json"],
)
async def test_a_2xx_answer_the_client_refuses_is_not_served_from_the_cache(
    clean: Sandboxes, http: aiohttp.ClientSession, body: str
) -> None:
    await clean.algod.faults(body=body, path="/assets", count=1)
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        failed = await graph.query(HOLDINGS, ALGORAND)
        answered = await graph.data(HOLDINGS, ALGORAND)
    assert codes(failed) == ["UPSTREAM_BAD_RESPONSE"], failed
    assert asset_ids(answered) == expected_algorand_ids(5)
    assert await clean.algod.count(ALGOD_ASSETS) == 2


@pytest.mark.parametrize(
    ("source", "sandbox", "route"),
    [("CALICO", "calico", CALICO_ASSETS), ("MESH", "mesh", MESH_PORTFOLIO)],
    ids=["calico", "mesh"],
)
async def test_custodial_data_is_never_cached_across_requests(
    clean: Sandboxes, http: aiohttp.ClientSession, source: str, sandbox: str, route: str
) -> None:
    variables = {"source": source, "address": "alice"}
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        for _ in range(2):
            body = await graph.query(HOLDINGS, variables, user="alice", calico=True)
            assert body["data"]["account"]["holdings"]["nodes"], body
    handle: SandboxHandle = getattr(clean, sandbox)
    assert await handle.count(route) == 2


async def test_cache_hits_and_misses_are_counted_in_the_metrics(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        await graph.data(HOLDINGS, ALGORAND)
        await graph.data(HOLDINGS, ALGORAND)
        await graph.data(HOLDINGS, ALGORAND)
        async with http.get(graph.url.removesuffix("/graphql") + "/metrics") as response:
            text = await response.text()
    samples = {
        (sample.name, sample.labels.get("cache")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    # Two cacheable reads per request (the balance and the asset page): missed once, then hit.
    assert samples[("holdings_cache_misses_total", "public")] == 2
    assert samples[("holdings_cache_hits_total", "public")] == 4


async def metric_samples(graph: GraphClient, http: aiohttp.ClientSession) -> dict[Any, float]:
    """Every sample on the graph's `/metrics`, by name and labels."""
    async with http.get(graph.url.removesuffix("/graphql") + "/metrics") as response:
        text = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def parses(samples: dict[Any, float], origin: str) -> float:
    """How many upstream answers the graph parsed, of `origin` (upstream, cache)."""
    return sum(
        value
        for (name, labels), value in samples.items()
        if name == "holdings_upstream_parses_total" and ("origin", origin) in labels
    )


async def test_a_page_served_from_the_public_cache_is_not_parsed_again(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with graph_with_cache(clean, http, LONG_TTL) as graph:
        first = await graph.data(HOLDINGS, ALGORAND)
        after_first = await metric_samples(graph, http)
        second = await graph.data(HOLDINGS, ALGORAND)
        third = await graph.data(HOLDINGS, ALGORAND)
        after_third = await metric_samples(graph, http)
    assert second == first and third == first
    # The balance and the asset page, each parsed once, when they were read from algod ...
    assert parses(after_first, "upstream") == 2
    # ... and never again: the two later requests are handed the records that parse made.
    assert parses(after_third, "upstream") == 2
    assert parses(after_third, "cache") == 0
    hits = ("holdings_cache_hits_total", (("cache", "public"),))
    assert after_third[hits] - after_first.get(hits, 0) == 4
    assert await counts(clean.algod, ALGOD_ASSETS, ALGOD_ACCOUNT) == [1, 1]


async def test_without_the_public_cache_every_request_parses_what_it_reads(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # The counter's other side: with the cache off, each request reads and parses afresh.
    async with graph_with_cache(clean, http, 0) as graph:
        for _ in range(3):
            await graph.data(HOLDINGS, ALGORAND)
        samples = await metric_samples(graph, http)
    assert parses(samples, "upstream") == 6
    assert await counts(clean.algod, ALGOD_ASSETS, ALGOD_ACCOUNT) == [3, 3]


async def test_concurrent_identical_requests_share_one_parse(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # The cache is off: the single flight hands its one parsed answer to all twenty.
    await clean.algod.faults(latency_ms=1000)
    async with graph_with_cache(clean, http, 0) as graph:
        answers = await asyncio.gather(*(graph.data(HOLDINGS, ALGORAND) for _ in range(20)))
        samples = await metric_samples(graph, http)
    assert all(answer == answers[0] for answer in answers)
    assert parses(samples, "upstream") == 2


async def test_with_redis_each_process_parses_an_entry_once(
    clean: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    # Two apps stand for two processes (each its own in-process cache) on one Redis.
    async with start_redis(tmp_path) as redis:
        async with graph_with_cache(clean, http, LONG_TTL, redis_url=redis.url) as reader:
            first = await reader.data(HOLDINGS, ALGORAND)
            second = await reader.data(HOLDINGS, ALGORAND)
            by_reader = await metric_samples(reader, http)
        async with graph_with_cache(clean, http, LONG_TTL, redis_url=redis.url) as other:
            third = await other.data(HOLDINGS, ALGORAND)
            between = await metric_samples(other, http)
            fourth = await other.data(HOLDINGS, ALGORAND)
            by_other = await metric_samples(other, http)
    assert first == second == third == fourth
    assert await counts(clean.algod, ALGOD_ASSETS, ALGOD_ACCOUNT) == [1, 1]
    # The process that read algod parsed each answer once, and its second request none.
    assert (parses(by_reader, "upstream"), parses(by_reader, "cache")) == (2, 0)
    # The other parsed Redis's two entries once, on its first request, then served them parsed.
    assert (parses(between, "upstream"), parses(between, "cache")) == (0, 2)
    assert (parses(by_other, "upstream"), parses(by_other, "cache")) == (0, 2)
    redis_hits = ("holdings_cache_hits_total", (("cache", "redis"),))
    public_hits = ("holdings_cache_hits_total", (("cache", "public"),))
    assert by_other[redis_hits] == 2
    assert by_other[public_hits] == 2
