"""GRAPHQL_INTROSPECTION and GRAPHIQL: on by default only on the embedded sandboxes; off,
`__schema`/`__type` are refused with INTROSPECTION_DISABLED while `__typename` and federation's
`_service { sdl }` still answer, and a browser gets no GraphiQL (schema/introspection.py,
web/view.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from settings import Settings
from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes, serve_graph

SCHEMA = "{ __schema { queryType { name } types { name fields { name } } } }"
TYPE = '{ __type(name: "Account") { name fields { name } } }'
IN_A_FRAGMENT = "query { ...Peek } fragment Peek on Query { __schema { queryType { name } } }"
ALIASED = "{ peek: __schema { queryType { name } } }"
ACCOUNT = "query($a: String!) { account(source: ALGORAND, address: $a) { __typename address } }"


@pytest_asyncio.fixture(scope="module")
async def production(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> AsyncIterator[GraphClient]:
    """A server with the defaults of a configured deployment (its upstreams' URLs are set)."""
    settings = sandboxes.settings(graphiql=None, graphql_introspection=None)
    assert not settings.effective_graphql_introspection and not settings.effective_graphiql
    async with serve_graph(settings, http) as client:
        yield client


async def refused(graph: GraphClient, query: str) -> dict[str, Any]:
    status, body = await graph.post(query)
    assert status == 200
    assert "data" not in body, body  # refused in validation: nothing was executed
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INTROSPECTION_DISABLED"}
    assert "GRAPHQL_INTROSPECTION" in error["message"]
    return dict(error)


@pytest.mark.parametrize("query", [SCHEMA, TYPE, IN_A_FRAGMENT, ALIASED])
async def test_introspection_off_refuses_schema_and_type(
    production: GraphClient, query: str
) -> None:
    await refused(production, query)


async def test_the_refusal_names_the_field_once(production: GraphClient) -> None:
    error = await refused(production, TYPE)
    assert "'__type'" in error["message"]
    assert error["locations"] == [{"line": 1, "column": 3}]


async def test_introspection_off_is_a_400_for_the_graphql_response_media_type(
    production: GraphClient, http: aiohttp.ClientSession
) -> None:
    headers = {"Accept": "application/graphql-response+json"}
    async with http.post(production.url, json={"query": SCHEMA}, headers=headers) as response:
        assert response.status == 400
        body = await response.json(content_type=None)
    assert body["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"


async def test_typename_and_federations_sdl_still_answer(production: GraphClient) -> None:
    data = await production.data("{ __typename _service { sdl } }")
    assert data["__typename"] == "Query"
    assert "type Account" in data["_service"]["sdl"]
    account = await production.data(ACCOUNT, {"a": algod_data.SMALL})
    assert account["account"] == {"__typename": "Account", "address": algod_data.SMALL}


async def test_introspection_on_answers_schema_then_off_still_refuses_the_same_text(
    graph: GraphClient, production: GraphClient
) -> None:
    # One process, one cache of validated documents: the two modes must not share an entry.
    data = await graph.data(SCHEMA)
    assert data["__schema"]["queryType"]["name"] == "Query"
    await refused(production, SCHEMA)
    assert (await graph.data(SCHEMA))["__schema"]["queryType"]["name"] == "Query"


async def test_graphiql_off_answers_a_browser_404_with_the_setting_to_turn_it_on(
    production: GraphClient, http: aiohttp.ClientSession
) -> None:
    headers = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    async with http.get(production.url, headers=headers) as response:
        assert response.status == 404
        body = await response.json(content_type=None)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert "GRAPHIQL" in error["message"]
    assets = production.url.removesuffix("graphql") + "graphiql/assets/graphiql.min.js"
    async with http.get(assets) as response:
        assert response.status == 404


async def test_graphiql_off_still_answers_queries_by_get(
    production: GraphClient, http: aiohttp.ClientSession
) -> None:
    params = {"query": ACCOUNT, "variables": f'{{"a": "{algod_data.SMALL}"}}'}
    async with http.get(production.url, params=params) as response:
        assert response.status == 200
        body = await response.json()
    assert body["data"]["account"]["address"] == algod_data.SMALL


async def test_graphiql_on_serves_the_page(graph: GraphClient, http: aiohttp.ClientSession) -> None:
    async with http.get(graph.url, headers={"Accept": "text/html"}) as response:
        assert response.status == 200
        assert "GraphiQL" in await response.text()


def test_both_are_on_by_default_on_the_embedded_sandboxes_only() -> None:
    sandboxed = Settings(_env_file=None)  # type: ignore[call-arg]
    assert sandboxed.effective_graphql_introspection and sandboxed.effective_graphiql
    configured = Settings(  # type: ignore[call-arg]
        _env_file=None,
        algod_url="https://algod.example.org",
        jwt_secret="j" * 40,
        cursor_secret="c" * 40,
    )
    assert not configured.effective_graphql_introspection and not configured.effective_graphiql
    chosen = Settings(  # type: ignore[call-arg]
        _env_file=None, graphiql=False, graphql_introspection=False
    )
    assert not chosen.effective_graphql_introspection and not chosen.effective_graphiql


async def test_introspection_off_refuses_it_inside_a_batch_too(
    production: GraphClient, http: aiohttp.ClientSession
) -> None:
    batch = [{"query": "{ __typename }"}, {"query": SCHEMA}]
    async with http.post(production.url, json=batch) as response:
        answers = await response.json()
    assert answers[0] == {"data": {"__typename": "Query"}}
    assert answers[1]["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
