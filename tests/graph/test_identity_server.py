"""CardanoBI's identity server through the graph: the token is asked for only
when a read really goes to CardanoBI, so a second server whose answer is already in the shared
cache (one real Redis, `tests/redis_server.py`) asks for no token and is not failed by an identity
outage; and an identity outage opens the identity server's own circuit, not the API's.
Proofs are the sandbox's counts (it serves the API and the token endpoint) and `/readyz`."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.sandbox import TOKEN_PATH
from tests.graph.support import CARDANOBI_ACCOUNT, CARDANOBI_ASSETS, CARDANOBI_TOKEN
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.redis_server import start_redis

HOLDINGS = """
query Holdings($address: String!) {
  account(source: CARDANO, address: $address) {
    holdings(first: 5) { nodes { id amount fetchedAt asset { fingerprint } } }
  }
}
"""
SMALL = {"address": cardano_data.SMALL}
TTL = 60.0


async def served(sandboxes: Sandboxes) -> list[int]:
    """The sandbox's counts: token requests, then the two API reads of a holdings page."""
    routes = (CARDANOBI_TOKEN, CARDANOBI_ACCOUNT, CARDANOBI_ASSETS)
    return [await sandboxes.cardanobi.count(route) for route in routes]


async def test_a_second_server_served_from_the_shared_cache_asks_for_no_token(
    clean: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with start_redis(tmp_path) as redis_server:
        settings = clean.settings(public_cache_ttl_seconds=TTL, redis_url=redis_server.url)
        async with serve_graph(settings, http) as first, serve_graph(settings, http) as second:
            answer = await first.data(HOLDINGS, SMALL)
            after_first = await served(clean)
            again = await second.data(HOLDINGS, SMALL)
    assert after_first == [1, 1, 1]
    assert again == answer
    assert await served(clean) == [1, 1, 1]  # the second server asked nobody, not even for a token


async def test_a_read_in_the_shared_cache_is_served_while_the_identity_server_is_down(
    clean: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    async with start_redis(tmp_path) as redis_server:
        settings = clean.settings(public_cache_ttl_seconds=TTL, redis_url=redis_server.url)
        async with serve_graph(settings, http) as first, serve_graph(settings, http) as second:
            answer = await first.data(HOLDINGS, SMALL)
            await clean.cardanobi.faults(status=503, path=TOKEN_PATH)
            again = await second.data(HOLDINGS, SMALL)  # no errors: `data` checks
    assert again == answer
    assert await clean.cardanobi.count(CARDANOBI_TOKEN, "503") == 0


async def readyz_breaker(graph: GraphClient, http: aiohttp.ClientSession) -> str:
    async with http.get(graph.url.removesuffix("/graphql") + "/readyz") as response:
        assert response.status == 200
        body = await response.json()
    breaker: str = body["upstreams"]["CARDANO"]["breaker"]
    return breaker


async def test_an_identity_outage_does_not_open_the_cardanobi_apis_circuit(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = clean.settings(breaker_failure_threshold=2, upstream_max_attempts=1)
    await clean.cardanobi.faults(status=503, path=TOKEN_PATH)
    async with serve_graph(settings, http) as graph:
        failed = [
            await graph.query(HOLDINGS, {"address": address})
            for address in cardano_data.BENCH_STAKE_ADDRESSES[:4]
        ]
        breaker = await readyz_breaker(graph, http)
    messages = [error["message"] for body in failed for error in body["errors"]]
    codes = {error["extensions"]["code"] for body in failed for error in body["errors"]}
    assert codes == {"UPSTREAM_UNAVAILABLE"}
    assert all(message.startswith("CardanoBI's identity server") for message in messages)
    # Its own circuit opened after two failed token requests; the API's stayed closed.
    assert any("circuit is open" in message for message in messages), messages
    assert breaker == "closed"
    assert await clean.cardanobi.count(CARDANOBI_TOKEN, "503") == 2
    assert await clean.cardanobi.count(CARDANOBI_ACCOUNT) == 0
