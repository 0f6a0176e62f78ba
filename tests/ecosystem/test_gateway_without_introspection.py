"""Introspection off (GRAPHQL_INTROSPECTION=false, a production deployment's default) leaves
federation working: a real Apollo Gateway composes the supergraph from `_service { sdl }` and
crosses into our subgraph, while `__schema` sent to the subgraph is refused."""

from __future__ import annotations

import json

import aiohttp

from tests.ecosystem.composition import USERS, ask, expected_user
from tests.ecosystem.node_tools import node_service
from tests.harness import Sandboxes, serve_graph


async def test_apollo_gateway_composes_and_queries_a_subgraph_without_introspection(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(graphql_introspection=False)
    async with serve_graph(settings, http) as graph:
        _, refused = await graph.post("{ __schema { queryType { name } } }")
        assert refused["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
        async with node_service("gateway.mjs", graph.url, json.dumps(USERS)) as urls:
            answers = {user: await ask(graph, urls["gateway"], user) for user in USERS}
    for user, answer in answers.items():
        assert "errors" not in answer, answer
        assert answer["data"] == expected_user(user)
