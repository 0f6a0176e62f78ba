"""Every response carries an `X-Request-Id`: the caller's when well formed, a new one otherwise;
the same id goes upstream with each call the request makes."""

from __future__ import annotations

import re

import aiohttp
import pytest
from aiohttp import web

from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.sources.loopback import serving

QUERY = """
query($a: String!) { account(source: ALGORAND, address: $a) { holdings(first: 1) { totalCount } } }
"""


async def request_id_of(graph: GraphClient, http: aiohttp.ClientSession, sent: str | None) -> str:
    headers = {"X-Request-Id": sent} if sent is not None else {}
    async with http.post(graph.url, json={"query": "{ __typename }"}, headers=headers) as response:
        assert response.status == 200
        return response.headers["X-Request-Id"]


async def test_a_well_formed_request_id_is_returned_as_sent(
    graph: GraphClient, http: aiohttp.ClientSession
) -> None:
    assert await request_id_of(graph, http, "trace-01.ab_CD-9") == "trace-01.ab_CD-9"


async def test_a_request_without_an_id_gets_a_new_one_each_time(
    graph: GraphClient, http: aiohttp.ClientSession
) -> None:
    first = await request_id_of(graph, http, None)
    second = await request_id_of(graph, http, None)
    assert re.fullmatch(r"[0-9a-f]{32}", first) and re.fullmatch(r"[0-9a-f]{32}", second)
    assert first != second


@pytest.mark.parametrize("sent", ["has space", "x" * 65, "new\\nline", "semi;colon", ""])
async def test_a_malformed_request_id_is_replaced(
    graph: GraphClient, http: aiohttp.ClientSession, sent: str
) -> None:
    returned = await request_id_of(graph, http, sent)
    assert returned != sent and re.fullmatch(r"[0-9a-f]{32}", returned)


async def test_the_request_id_is_forwarded_to_the_upstream(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    seen: list[str | None] = []

    async def account(request: web.Request) -> web.Response:
        seen.append(request.headers.get("X-Request-Id"))
        return web.json_response({"message": "no such account"}, status=404)

    async with serving([web.get("/{tail:.*}", account)]) as node:
        settings = sandboxes.settings(algod_url=node.url)
        async with serve_graph(settings, http) as graph:
            headers = {"X-Request-Id": "joined-up-42"}
            await graph.query(QUERY, {"a": algod_data.SMALL}, headers=headers)
    assert seen and set(seen) == {"joined-up-42"}
