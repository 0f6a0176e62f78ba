"""Request bodies over MAX_REQUEST_BYTES are refused with 413 and a GraphQL-shaped error, before
the server reads past the limit or calls an upstream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes, serve_graph

LIMIT = 4096
QUERY = "query($a: String!) { account(source: ALGORAND, address: $a) { address } }"


@pytest_asyncio.fixture(scope="module")
async def small(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    async with serve_graph(sandboxes.settings(max_request_bytes=LIMIT), http) as client:
        yield client


def body_of_size(size: int) -> bytes:
    """A valid GraphQL request body of exactly `size` bytes (padded inside the query text)."""
    base = json.dumps({"query": QUERY + " ", "variables": {"a": algod_data.SMALL}})
    padding = size - len(base.encode())
    assert padding >= 0
    return json.dumps(
        {"query": QUERY + " " + "#" * padding, "variables": {"a": algod_data.SMALL}}
    ).encode()


def assert_refused(status: int, body: dict[str, object]) -> None:
    assert status == 413
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert f"MAX_REQUEST_BYTES={LIMIT}" in errors[0]["message"]


async def test_a_body_of_exactly_the_limit_is_served(
    small: GraphClient, http: aiohttp.ClientSession
) -> None:
    body = body_of_size(LIMIT)
    assert len(body) == LIMIT
    headers = {"Content-Type": "application/json"}
    async with http.post(small.url, data=body, headers=headers) as response:
        assert response.status == 200
        answer = await response.json()
    assert answer["data"]["account"]["address"] == algod_data.SMALL


async def test_a_declared_length_over_the_limit_is_refused_before_any_upstream_call(
    small: GraphClient, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    headers = {"Content-Type": "application/json"}
    async with http.post(small.url, data=body_of_size(LIMIT + 1), headers=headers) as response:
        assert_refused(response.status, await response.json())
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


async def test_a_chunked_body_over_the_limit_is_refused_before_any_upstream_call(
    small: GraphClient, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    payload = body_of_size(LIMIT + 1000)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    headers = {"Content-Type": "application/json"}
    async with http.post(small.url, data=chunks(), headers=headers) as response:
        assert "Content-Length" not in response.request_info.headers
        assert response.request_info.headers.get("Transfer-Encoding") == "chunked"
        assert_refused(response.status, await response.json())
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


async def test_a_chunked_body_within_the_limit_is_served(
    small: GraphClient, http: aiohttp.ClientSession
) -> None:
    payload = body_of_size(LIMIT - 100)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(payload), 512):
            yield payload[start : start + 512]

    headers = {"Content-Type": "application/json"}
    async with http.post(small.url, data=chunks(), headers=headers) as response:
        assert response.status == 200
        answer = await response.json()
    assert answer["data"]["account"]["address"] == algod_data.SMALL


async def test_a_refused_body_is_never_stored_by_a_cache(
    small: GraphClient, http: aiohttp.ClientSession
) -> None:
    headers = {"Content-Type": "application/json"}
    async with http.post(small.url, data=body_of_size(LIMIT + 1), headers=headers) as response:
        assert response.status == 413
        assert response.headers["Cache-Control"] == "no-store"
