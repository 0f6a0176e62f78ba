"""Responses are compressed with brotli or gzip as `Accept-Encoding` asks, above
COMPRESSION_MIN_BYTES, GraphiQL's page and files included; streamed media types are flushed part
by part, never held back (web/compression.py). Sizes are measured on the wire: the client here
does not decompress by itself. `tests/ecosystem/test_browser_compression.py` has Chromium decode
them."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import brotli
import pytest
import pytest_asyncio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes, serve_graph
from web.compression import compression_middleware

#: The whale's first 100 holdings, with every identifier a client pages with.
PAGE = """query($a: String!) { account(source: ALGORAND, address: $a) {
  holdings(first: 100) { edges { cursor node { id amount rawAmount
    asset { id assetId symbol name decimals kind caip19 } } } pageInfo { hasNextPage endCursor } }
} }"""
SMALL = "{ __typename }"
MIN_BYTES = 1024


@pytest_asyncio.fixture(scope="module")
async def wire() -> AsyncIterator[aiohttp.ClientSession]:
    """A client that reads bodies as sent (and sends no Accept-Encoding unless told)."""
    async with aiohttp.ClientSession(
        auto_decompress=False, skip_auto_headers=["Accept-Encoding"]
    ) as session:
        yield session


@pytest_asyncio.fixture(scope="module")
async def graph(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    async with serve_graph(sandboxes.settings(compression_min_bytes=MIN_BYTES), http) as client:
        yield client


def decode(body: bytes, encoding: str | None) -> bytes:
    if encoding == "br":
        return bytes(brotli.decompress(body))
    if encoding == "gzip":
        return gzip.decompress(body)
    assert encoding is None, encoding
    return body


async def fetch(
    wire: aiohttp.ClientSession, url: str, encoding: str | None, **request: Any
) -> tuple[aiohttp.ClientResponse, bytes]:
    headers = dict(request.pop("headers", {}))
    if encoding is not None:
        headers["Accept-Encoding"] = encoding
    method = "POST" if "json" in request else "GET"
    async with wire.request(method, url, headers=headers, **request) as response:
        return response, await response.read()


def page_request() -> dict[str, Any]:
    return {"json": {"query": PAGE, "variables": {"a": algod_data.WHALE}}}


def vary(response: aiohttp.ClientResponse) -> set[str]:
    return {
        v.strip().lower() for value in response.headers.getall("Vary", []) for v in value.split(",")
    }


async def test_a_100_holding_page_is_sent_in_brotli_or_gzip_as_asked(
    graph: GraphClient, wire: aiohttp.ClientSession
) -> None:
    raw_response, raw = await fetch(wire, graph.url, None, **page_request())
    assert "Content-Encoding" not in raw_response.headers
    page = json.loads(raw)
    assert len(page["data"]["account"]["holdings"]["edges"]) == 100
    sizes = {"identity": len(raw)}
    for encoding in ("gzip", "br"):
        response, body = await fetch(wire, graph.url, encoding, **page_request())
        assert response.headers["Content-Encoding"] == encoding
        assert int(response.headers["Content-Length"]) == len(body)
        assert json.loads(decode(body, encoding)) == page
        sizes[encoding] = len(body)
    print(f"100-holding page: {sizes}")
    assert sizes["identity"] > 50_000
    assert sizes["gzip"] < sizes["identity"] / 5
    assert sizes["br"] < sizes["gzip"]


@pytest.mark.parametrize(
    ("accepted", "chosen"),
    [
        ("gzip, deflate, br, zstd", "br"),  # what Chromium sends
        ("gzip;q=1.0, br;q=0.5", "br"),  # both acceptable: the server prefers brotli
        ("br;q=0, gzip", "gzip"),
        ("gzip", "gzip"),
        ("deflate", None),
        ("identity", None),
        ("*", "br"),
        ("br;q=0, gzip;q=0", None),
    ],
)
async def test_the_encoding_follows_accept_encoding(
    graph: GraphClient, wire: aiohttp.ClientSession, accepted: str, chosen: str | None
) -> None:
    response, body = await fetch(wire, graph.url, accepted, **page_request())
    assert response.headers.get("Content-Encoding") == chosen
    assert len(json.loads(decode(body, chosen))["data"]["account"]["holdings"]["edges"]) == 100


async def test_a_compressed_answer_keeps_the_graphs_vary_and_adds_accept_encoding(
    graph: GraphClient, wire: aiohttp.ClientSession
) -> None:
    response, _ = await fetch(wire, graph.url, "br", **page_request())
    assert {"accept", "authorization", "x-calico-token", "origin", "accept-encoding"} <= vary(
        response
    )


async def test_a_large_answer_sent_uncompressed_still_varies_on_accept_encoding(
    graph: GraphClient, wire: aiohttp.ClientSession
) -> None:
    response, _ = await fetch(wire, graph.url, None, **page_request())
    assert "accept-encoding" in vary(response)


async def test_a_body_under_the_threshold_is_sent_as_it_is(
    graph: GraphClient, wire: aiohttp.ClientSession
) -> None:
    response, body = await fetch(wire, graph.url, "br", json={"query": SMALL})
    assert len(body) < MIN_BYTES
    assert "Content-Encoding" not in response.headers
    assert json.loads(body) == {"data": {"__typename": "Query"}}


async def test_the_graphql_response_media_type_is_compressed_too(
    graph: GraphClient, wire: aiohttp.ClientSession
) -> None:
    accept = {"Accept": "application/graphql-response+json"}
    response, body = await fetch(wire, graph.url, "gzip", headers=accept, **page_request())
    assert response.headers["Content-Type"].startswith("application/graphql-response+json")
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(json.loads(decode(body, "gzip"))["data"]["account"]["holdings"]["edges"]) == 100


async def test_graphiqls_page_and_files_are_compressed(
    graph: GraphClient, wire: aiohttp.ClientSession
) -> None:
    html = {"Accept": "text/html"}
    _, raw_page = await fetch(wire, graph.url, None, headers=html)
    sizes: dict[str, dict[str, int]] = {}
    for encoding in ("gzip", "br"):
        response, body = await fetch(wire, graph.url, encoding, headers=html)
        assert response.headers["Content-Encoding"] == encoding
        assert decode(body, encoding) == raw_page
        sizes.setdefault("page", {})[encoding] = len(body)
    sizes["page"]["identity"] = len(raw_page)
    names = ["graphiql.min.js", "graphiql.min.css", "react-dom.production.min.js"]
    for name in names:
        url = graph.url.removesuffix("graphql") + f"graphiql/assets/{name}"
        _, raw = await fetch(wire, url, None)
        sizes[name] = {"identity": len(raw)}
        for encoding in ("gzip", "br"):
            response, body = await fetch(wire, url, encoding)
            assert response.headers["Content-Encoding"] == encoding, name
            assert decode(body, encoding) == raw, name
            sizes[name][encoding] = len(body)
    print(f"GraphiQL: {sizes}")
    assert sizes["graphiql.min.js"]["br"] < sizes["graphiql.min.js"]["identity"] / 4


async def test_a_range_of_a_file_is_sent_as_it_is(
    graph: GraphClient, wire: aiohttp.ClientSession
) -> None:
    url = graph.url.removesuffix("graphql") + "graphiql/assets/graphiql.min.js"
    response, body = await fetch(wire, url, "br", headers={"Range": "bytes=0-99"})
    assert response.status == 206
    assert "Content-Encoding" not in response.headers
    assert len(body) == 100


async def test_the_threshold_and_the_switch_are_settings(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, wire: aiohttp.ClientSession
) -> None:
    for overrides in ({"compression_min_bytes": 1_000_000}, {"compression": False}):
        async with serve_graph(sandboxes.settings(**overrides), http) as graph:
            response, body = await fetch(wire, graph.url, "br", **page_request())
        assert "Content-Encoding" not in response.headers, overrides
        assert len(json.loads(body)["data"]["account"]["holdings"]["edges"]) == 100


# A streamed response, with the middleware alone: the app sends its second part only once the
# client has read and decoded the first, so a compressor that held the first part back would
# stall here (until the bound below) instead of passing.
PARTS = [
    b"--graphql\r\nContent-Type: application/json\r\n\r\n" + b'{"data":1}' * 200,
    b"--graphql--\r\n",
]


@pytest_asyncio.fixture
async def streamer() -> AsyncIterator[tuple[str, asyncio.Event]]:
    first_read = asyncio.Event()

    async def parts() -> AsyncIterator[bytes]:
        yield PARTS[0]
        await asyncio.wait_for(first_read.wait(), 10)
        yield PARTS[1]

    async def route(request: Request) -> StreamingResponse:
        return StreamingResponse(parts(), media_type="multipart/mixed; boundary=graphql")

    app = Starlette(routes=[Route("/", route)], middleware=[compression_middleware(MIN_BYTES)])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "the streaming app did not start"
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/", first_read
    finally:
        first_read.set()
        server.should_exit = True
        await task
        sock.close()


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_each_part_of_a_multipart_answer_is_flushed_as_it_is_sent(
    streamer: tuple[str, asyncio.Event], wire: aiohttp.ClientSession, encoding: str
) -> None:
    url, first_read = streamer
    decoder: Any = brotli.Decompressor() if encoding == "br" else zlib.decompressobj(31)
    decode_more = decoder.process if encoding == "br" else decoder.decompress
    async with wire.get(url, headers={"Accept-Encoding": encoding}) as response:
        assert response.headers["Content-Encoding"] == encoding
        received = b""
        while len(received) < len(PARTS[0]):
            chunk = await asyncio.wait_for(response.content.readany(), 5)
            assert chunk, "the stream ended before the first part"
            received += decode_more(chunk)
        assert received == PARTS[0]  # decoded while the app still holds the second part back
        first_read.set()
        rest = await asyncio.wait_for(response.content.read(), 5)
    assert received + decode_more(rest) == b"".join(PARTS)
