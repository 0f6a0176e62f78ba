"""Caching hints: `Cache-Control` says who may keep a `/graphql` response, and for how long.

Public on-chain reads are `public, max-age=CACHE_MAX_AGE_SECONDS`; anything that involved a
user's credentials or data is `private, no-store`; errors and mutations are `no-store`.
"""

from __future__ import annotations

import aiohttp

from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes, serve_graph

ONCHAIN = "query Small($a: String!) { account(source: ALGORAND, address: $a) { chainId } }"
SMALL = {"a": algod_data.SMALL}
ONCHAIN_HOLDINGS = """
query Small($a: String!) {
  account(source: ALGORAND, address: $a) { holdings(first: 1) { nodes { amount } } }
}
"""


async def cache_control(
    graph: GraphClient,
    query: str,
    variables: dict[str, str] | None = None,
    *,
    headers: dict[str, str] | None = None,
    method: str = "POST",
) -> tuple[int, str, str]:
    """(status, Cache-Control, Vary) of one request."""
    if method == "GET":
        params = {"query": query}
        async with graph.http.get(graph.url, params=params, headers=headers) as response:
            await response.read()
            return response.status, response.headers["Cache-Control"], response.headers["Vary"]
    body = {"query": query, "variables": variables or {}}
    async with graph.http.post(graph.url, json=body, headers=headers) as response:
        await response.read()
        return response.status, response.headers["Cache-Control"], response.headers["Vary"]


async def test_public_onchain_reads_are_public_for_the_configured_max_age(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with serve_graph(clean.settings(cache_max_age_seconds=42), http) as graph:
        status, cache, _ = await cache_control(graph, ONCHAIN_HOLDINGS, SMALL)
    assert (status, cache) == (200, "public, max-age=42")


async def test_a_query_by_get_is_public_too(graph: GraphClient) -> None:
    query = f'{{ account(source: ALGORAND, address: "{algod_data.SMALL}") {{ chainId }} }}'
    status, cache, _ = await cache_control(graph, query, method="GET")
    assert status == 200
    assert cache.startswith("public, max-age=")


async def test_a_bearer_token_makes_even_a_public_read_private(graph: GraphClient) -> None:
    _, cache, _ = await cache_control(graph, ONCHAIN, SMALL, headers=graph.headers("alice"))
    assert cache == "private, no-store"


async def test_a_refused_bearer_token_still_makes_the_response_private(graph: GraphClient) -> None:
    headers = {"Authorization": "Bearer not-a-jwt"}
    _, cache, _ = await cache_control(graph, ONCHAIN, SMALL, headers=headers)
    assert cache == "private, no-store"


async def test_an_x_calico_token_makes_the_response_private(graph: GraphClient) -> None:
    headers = {"X-Calico-Token": "sandbox-calico-alice"}
    _, cache, _ = await cache_control(graph, ONCHAIN, SMALL, headers=headers)
    assert cache == "private, no-store"


async def test_custodial_data_is_private(graph: GraphClient) -> None:
    query = "{ viewer { userId accounts { source } } }"
    status, cache, _ = await cache_control(graph, query, headers=graph.headers("alice", True))
    assert (status, cache) == (200, "private, no-store")


async def test_a_mutation_is_never_stored(graph: GraphClient, clean: Sandboxes) -> None:
    query = "mutation { refreshHoldings(source: CALICO) { accepted } }"
    _, anonymous, _ = await cache_control(graph, query)
    _, signed_in, _ = await cache_control(graph, query, headers=graph.headers("bob", True))
    assert anonymous == "no-store"  # refused: UNAUTHENTICATED
    assert signed_in == "private, no-store"


async def test_a_response_with_errors_is_not_stored(graph: GraphClient) -> None:
    bad = {"a": algod_data.SMALL[:-1] + "A"}
    _, cache, _ = await cache_control(graph, ONCHAIN, bad)
    assert cache == "no-store"


async def test_a_response_with_an_upstream_error_is_not_stored(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(status=503)
    try:
        _, cache, _ = await cache_control(graph, ONCHAIN_HOLDINGS, SMALL)
    finally:
        await clean.reset()
    assert cache == "no-store"


async def test_a_request_error_is_not_stored(graph: GraphClient) -> None:
    async with graph.http.post(
        graph.url, data=b"{", headers={"Content-Type": "application/json"}
    ) as r:
        assert r.status == 400
        assert r.headers["Cache-Control"] == "no-store"


async def test_responses_vary_on_the_headers_that_change_them(graph: GraphClient) -> None:
    _, _, vary = await cache_control(graph, ONCHAIN, SMALL)
    assert {name.strip().lower() for name in vary.split(",")} >= {
        "accept",
        "authorization",
        "x-calico-token",
    }


async def test_the_graphiql_page_is_revalidated(graph: GraphClient) -> None:
    async with graph.http.get(graph.url, headers={"Accept": "text/html"}) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-cache"
