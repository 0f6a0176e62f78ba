"""Automatic persisted queries (Apollo's APQ protocol), by POST and by GET, in process and in a
real Redis shared by two servers. Proofs are the sandboxes' request counts and the answers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sources.algod import sandbox_data as algod_data
from tests.graph.support import ALGOD_ASSETS
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.redis_server import start_redis

HOLDINGS = (
    "query Holdings($address: String!) { account(source: ALGORAND, address: $address) "
    "{ holdings(first: 2) { nodes { rawAmount asset { assetId } } } } }"
)
VARIABLES = {"address": algod_data.SMALL}
MUTATION = "mutation { refreshHoldings(source: CALICO) { accepted } }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256(text)}}


async def post(graph: GraphClient, body: Any, **headers: str) -> tuple[int, Any, str]:
    async with graph.http.post(graph.url, json=body, headers=headers) as response:
        return response.status, await response.json(), response.headers["Cache-Control"]


async def get(graph: GraphClient, params: dict[str, Any], **headers: str) -> aiohttp.ClientResponse:
    query = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with graph.http.get(graph.url, params=query, headers=headers) as response:
        await response.read()
        return response


async def register(graph: GraphClient, text: str, variables: dict[str, Any]) -> Any:
    status, body, _ = await post(
        graph, {"query": text, "variables": variables, "extensions": persisted(text)}
    )
    assert status == 200 and "errors" not in body, body
    return body


async def test_an_unknown_hash_answers_200_persisted_query_not_found_and_reads_nothing(
    graph: GraphClient, clean: Sandboxes
) -> None:
    text = HOLDINGS + " # never sent before"
    status, body, cache_control = await post(
        graph, {"variables": VARIABLES, "extensions": persisted(text)}
    )
    assert status == 200
    assert body == {
        "errors": [
            {
                "message": "PersistedQueryNotFound",
                "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
            }
        ]
    }
    assert cache_control == "no-store"
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


async def test_a_hash_sent_with_its_text_is_stored_and_then_runs_by_hash_alone(
    graph: GraphClient, clean: Sandboxes
) -> None:
    text = HOLDINGS + " # stored"
    first = await register(graph, text, VARIABLES)
    status, again, _ = await post(graph, {"variables": VARIABLES, "extensions": persisted(text)})
    assert status == 200
    assert again == first
    assert await clean.algod.count(ALGOD_ASSETS) == 2


async def test_a_hash_that_is_not_the_texts_is_refused_400_and_nothing_is_stored(
    graph: GraphClient, clean: Sandboxes
) -> None:
    claimed = HOLDINGS + " # what the hash says"
    body = {"query": HOLDINGS, "variables": VARIABLES, "extensions": persisted(claimed)}
    status, answer, _ = await post(graph, body)
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert sha256(claimed)[:16] in answer["errors"][0]["message"]
    status, answer, _ = await post(graph, {"extensions": persisted(claimed)})
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert await clean.algod.total() == 0


async def test_a_document_that_does_not_validate_is_not_stored(graph: GraphClient) -> None:
    text = "{ nosuchfield }"
    status, answer, _ = await post(graph, {"query": text, "extensions": persisted(text)})
    assert status == 200
    assert answer["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    _, answer, _ = await post(graph, {"extensions": persisted(text)})
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_get_by_hash_answers_cacheable_like_any_get_query(
    graph: GraphClient, clean: Sandboxes
) -> None:
    text = HOLDINGS + " # by GET"
    expected = await register(graph, text, VARIABLES)
    params = {"variables": VARIABLES, "extensions": persisted(text)}
    response = await get(graph, params, Accept="application/graphql-response+json")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "public, max-age=15"
    async with graph.http.get(response.url) as again:
        assert await again.json() == expected
    with_token = await get(graph, params, **graph.headers("alice"))
    assert with_token.headers["Cache-Control"] == "private, no-store"


async def test_a_get_by_unknown_hash_is_not_found_and_not_cacheable(graph: GraphClient) -> None:
    response = await get(graph, {"extensions": persisted(HOLDINGS + " # unknown GET")})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,*/*;q=0.8", "*/*"])
async def test_a_get_with_a_persisted_query_never_answers_the_graphiql_page(
    graph: GraphClient, accept: str
) -> None:
    text = HOLDINGS + " # browser accept"
    await register(graph, text, VARIABLES)
    params = {"variables": VARIABLES, "extensions": persisted(text)}
    async with graph.http.get(
        graph.url,
        params={k: json.dumps(v) for k, v in params.items()},
        headers={"Accept": accept},
    ) as response:
        assert response.content_type == "application/json"
        assert (await response.json())["data"]["account"]["holdings"]["nodes"]


async def test_a_persisted_mutation_by_get_is_405_and_runs_nothing(
    graph: GraphClient, clean: Sandboxes
) -> None:
    status, _, _ = await post(graph, {"query": MUTATION, "extensions": persisted(MUTATION)})
    assert status == 200
    await clean.reset()
    response = await get(graph, {"extensions": persisted(MUTATION)})
    assert response.status == 405
    assert await clean.calico.total() == 0


@pytest.mark.parametrize(
    ("extension", "named"),
    [
        ({"version": 2, "sha256Hash": "0" * 64}, "version 2"),
        ({"version": 1, "sha256Hash": "not-a-hash"}, "'not-a-hash'"),
        ({"version": 1, "sha256Hash": 7}, "7"),
        ("abc", "'abc'"),
    ],
)
async def test_a_malformed_persisted_query_extension_is_400_naming_the_value(
    graph: GraphClient, extension: object, named: str
) -> None:
    status, answer, _ = await post(graph, {"extensions": {"persistedQuery": extension}})
    assert status == 400
    error = answer["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert error["message"].startswith("extensions.persistedQuery") and named in error["message"]


async def test_with_the_store_off_a_hash_is_not_supported(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(persisted_queries_max_entries=0)
    async with serve_graph(settings, http) as graph:
        status, answer, _ = await post(graph, {"extensions": persisted(HOLDINGS)})
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
    assert answer["errors"][0]["message"].startswith("PersistedQueryNotSupported")


async def test_the_in_process_store_keeps_at_most_its_entries_least_recently_used_out(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(persisted_queries_max_entries=2)
    texts = [f"{HOLDINGS} # {n}" for n in range(3)]
    async with serve_graph(settings, http) as graph:
        for text in texts:
            await register(graph, text, VARIABLES)
        found = []
        for text in texts:
            _, answer, _ = await post(
                graph, {"variables": VARIABLES, "extensions": persisted(text)}
            )
            found.append("data" in answer)
    assert found == [False, True, True]


async def test_two_servers_on_one_redis_share_what_either_learned(
    clean: Sandboxes, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    text = HOLDINGS + " # shared"
    async with start_redis(tmp_path) as redis_server:
        settings = clean.settings(redis_url=redis_server.url)
        async with serve_graph(settings, http) as first, serve_graph(settings, http) as second:
            expected = await register(first, text, VARIABLES)
            status, answer, _ = await post(
                second, {"variables": VARIABLES, "extensions": persisted(text)}
            )
    assert status == 200
    assert answer == expected
