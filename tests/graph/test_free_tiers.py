"""The defaults work on the upstreams' free tiers, through the graph, with the sandboxes set back
to those tiers (the session's run with headroom, `TEST_SANDBOX_HEADROOM`): algod's 8 calls in
flight stay under Nodely's 10 per client, CardanoBI's 1 request/s stays within its free plan's
(1/s, no burst), and a 429 that names no wait is tried again only after the plan's second.
Proofs are the sandboxes' counts and their served-request timestamps."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from settings import Settings
from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import (
    ALGOD_ACCOUNT,
    ALGOD_ASSETS,
    CARDANOBI_ACCOUNT,
    CARDANOBI_ASSETS,
)
from tests.harness import GraphClient, Sandboxes, serve_graph

ACCOUNTS = """query($refs: [AccountRef!]!) {
  accounts(refs: $refs) { address holdings(first: 1) { nodes { rawAmount } } } }"""
DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
"""What a server with nothing configured runs with."""
CARDANOBI_API = (CARDANOBI_ACCOUNT, CARDANOBI_ASSETS)


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


def _refs(source: str, addresses: list[str]) -> dict[str, Any]:
    return {"refs": [{"source": source, "address": address} for address in addresses]}


async def _api_arrivals(sandboxes: Sandboxes) -> list[float]:
    """When each request to CardanoBI's API (behind its gateway) arrived, in order."""
    account = await sandboxes.cardanobi.arrivals(CARDANOBI_ACCOUNT)
    assets = await sandboxes.cardanobi.arrivals(CARDANOBI_ASSETS)
    return sorted([*account, *assets])


async def test_forty_algorand_accounts_stay_within_nodelys_calls_in_flight(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # The default: ALGOD_MAX_CONCURRENCY is 8.
    concurrency = DEFAULTS.algod.max_concurrency
    assert concurrency == 8
    addresses = list(algod_data.BENCH_ADDRESSES[:40])
    async with graph_with(sandboxes, http, algod_max_concurrency=concurrency) as graph:
        await sandboxes.algod.settings(max_concurrency=10)  # Nodely's free tier
        await sandboxes.algod.faults(latency_ms=50)  # so the 80 reads overlap
        body = await graph.query(ACCOUNTS, _refs("ALGORAND", addresses))
        stats = await sandboxes.algod.stats()
    assert "errors" not in body, body["errors"]
    assert [a["address"] for a in body["data"]["accounts"]] == addresses
    assert all(a["holdings"]["nodes"] for a in body["data"]["accounts"])
    # Each account's balance and first page, 80 reads, none refused, 8 at most at once.
    assert stats["routes"][ALGOD_ACCOUNT] == {"200": 40}
    assert stats["routes"][ALGOD_ASSETS] == {"200": 40}
    assert stats["max_in_flight"] == 8


async def test_more_calls_in_flight_than_nodely_takes_meet_429s(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    """The same query with the old default (32 at once): the cap above is what keeps it whole."""
    addresses = list(algod_data.BENCH_ADDRESSES[:40])
    async with graph_with(sandboxes, http, algod_max_concurrency=32) as graph:
        await sandboxes.algod.settings(max_concurrency=10)
        await sandboxes.algod.faults(latency_ms=50)
        await graph.query(ACCOUNTS, _refs("ALGORAND", addresses))
        refused = await sandboxes.algod.count(ALGOD_ACCOUNT, "429") + await sandboxes.algod.count(
            ALGOD_ASSETS, "429"
        )
    assert refused > 0


async def test_cardanobis_default_rate_reads_within_its_free_plan(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # The default rate (not the harness's): CARDANOBI_RATE_PER_SECOND is 1, without a burst.
    per_second = DEFAULTS.cardanobi.rate_per_second
    rate = DEFAULTS.source_policy("cardanobi").rate
    assert rate is not None and (per_second, rate.burst) == (1.0, 1)
    addresses = [cardano_data.SMALL, *cardano_data.BENCH_STAKE_ADDRESSES[:2]]
    async with graph_with(sandboxes, http, cardanobi_rate_per_second=per_second) as graph:
        await sandboxes.cardanobi.settings(plan="free")
        await sandboxes.cardanobi.record_arrivals()
        body = await graph.query(ACCOUNTS, _refs("CARDANO", addresses))
        arrivals = await _api_arrivals(sandboxes)
        routes = (await sandboxes.cardanobi.stats())["routes"]
    assert "errors" not in body, body["errors"]
    assert all(a["holdings"]["nodes"] for a in body["data"]["accounts"])
    # Six reads (each account's balance and tokens), none refused by the plan.
    assert [routes[route] for route in CARDANOBI_API] == [{"200": 3}, {"200": 3}]
    # They arrived at least the plan's second apart (the budget leaves 5% of it unused, so a
    # request that got there faster than the one before is still not early).
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert len(gaps) == 5 and min(gaps) >= 1.0


async def test_a_429_without_retry_after_is_tried_again_only_after_the_plans_second(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # The server's budget above the plan (10/s, as the old default; or a key another process
    # also spends): CardanoBI's gateway answers its 429 page, without Retry-After.
    async with graph_with(sandboxes, http, cardanobi_rate_per_second=10) as graph:
        await sandboxes.cardanobi.settings(plan="free")
        await sandboxes.cardanobi.record_arrivals()
        body = await graph.query(ACCOUNTS, _refs("CARDANO", [cardano_data.SMALL]))
        arrivals = await _api_arrivals(sandboxes)
        routes = (await sandboxes.cardanobi.stats())["routes"]
    assert "errors" not in body, body["errors"]
    assert body["data"]["accounts"][0]["holdings"]["nodes"][0]["rawAmount"] == str(
        cardano_data.SMALL_ADA
    )
    # The balance and the tokens, sent together: the second is refused once, and its one
    # retry, a second later, is served (a retry after the backoff alone, 0.01 s here, would
    # have been refused on every attempt).
    outcomes = sorted(sorted(routes[route].items()) for route in CARDANOBI_API)
    assert outcomes == [[("200", 1)], [("200", 1), ("429", 1)]]
    first, refused, retried = arrivals
    assert refused - first < 1.0 <= retried - refused
