"""HTTP limits at the edge, against a real `python server.py` over raw sockets.

Each hostile client is answered with its refusal (status and code) within a generous bound, and a
normal request sent meanwhile is answered at once. Nothing here reaches an upstream.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from tests.harness import Sandboxes
from tests.hostile.edge_support import (
    EdgeServer,
    exchange,
    normal_request,
    open_fds,
    post_bytes,
    rss_mib,
    start_edge_server,
    upstream_total,
)
from web.graphiql import ASSETS_PATH

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
WRITE_TIMEOUT = 2.0
MAX_HEADER_BYTES = 32 * 1024
NORMAL_SECONDS = 5.0
"""A normal request sent during an attack is answered within this (milliseconds when idle)."""
WHALE = "4BKTTRHZ2MXLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM"


@pytest_asyncio.fixture(scope="module")
async def edge(http: aiohttp.ClientSession, sandboxes: Sandboxes) -> AsyncIterator[EdgeServer]:
    """One server with short timeouts (the other edge limits at their defaults)."""
    async with start_edge_server(
        http,
        sandboxes,
        HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),
        BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT),
        WRITE_TIMEOUT_SECONDS=str(WRITE_TIMEOUT),
        CALLER_RATE_PER_SECOND="0",
    ) as server:
        yield server


def _code(body: object) -> str:
    assert isinstance(body, dict), body
    return str(body["errors"][0]["extensions"]["code"])


async def test_headers_over_max_header_bytes_are_refused_431(
    edge: EdgeServer, clean: Sandboxes
) -> None:
    request = b"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\nX-Big: "
    request += b"a" * (2 * MAX_HEADER_BYTES) + b"\r\n\r\n"
    got = await exchange(edge.port, request)
    assert got.status == 431
    assert _code(got.json()) == "REQUEST_HEADER_FIELDS_TOO_LARGE"
    assert "MAX_HEADER_BYTES=32768" in got.json()["errors"][0]["message"]
    assert await upstream_total(clean) == 0


async def test_an_endless_header_is_cut_at_the_limit_not_buffered(edge: EdgeServer) -> None:
    """Before: a 100 MB header was parsed for 33 s, then answered 200 (a normal request waited
    5 s). Now the server stops after the limit: the client is refused (or reset, being still
    busy writing) at once, and the server's memory does not grow by the header."""
    before = rss_mib(edge.pid)
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (100 * 1024 * 1024)
    hostile = asyncio.create_task(exchange(edge.port, request, chunk=1024 * 1024, within=60))
    await asyncio.sleep(0.2)
    normal = await normal_request(edge.port)
    got = await hostile
    assert got.status == 431 or got.reset, got.data[:200]
    assert got.seconds < 20
    assert rss_mib(edge.pid) - before < 50
    assert normal.status == 200 and normal.seconds < NORMAL_SECONDS


async def test_more_than_max_header_count_fields_are_refused_431(edge: EdgeServer) -> None:
    fields = b"".join(b"X-H%d: v\r\n" % i for i in range(101))
    got = await exchange(edge.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n")
    assert got.status == 431
    assert "MAX_HEADER_COUNT=100" in got.json()["errors"][0]["message"]


async def test_a_hundred_header_fields_are_still_served(edge: EdgeServer) -> None:
    fields = b"".join(b"X-H%d: v\r\n" % i for i in range(98))  # with Host and Connection: 100
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + fields + b"Connection: close\r\n\r\n"
    assert (await exchange(edge.port, request)).status == 200


async def test_a_url_over_the_limit_is_refused_414(edge: EdgeServer) -> None:
    url = b"/graphql?query=" + b"a" * (2 * MAX_HEADER_BYTES)
    got = await exchange(edge.port, b"GET " + url + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert got.status == 414
    assert _code(got.json()) == "URI_TOO_LONG"


async def test_a_request_that_is_not_http_gets_a_coded_400(edge: EdgeServer) -> None:
    got = await exchange(edge.port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\x01: 1\r\n\r\n")
    assert got.status == 400
    assert _code(got.json()) == "BAD_REQUEST"


async def test_slowloris_headers_get_408_at_the_header_timeout(edge: EdgeServer) -> None:
    """Fifty clients each sending one header line every 0.3 s: cut at the header timeout."""
    connections = [await asyncio.open_connection("127.0.0.1", edge.port) for _ in range(50)]
    for _, writer in connections:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")

    async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
        async def lines() -> None:
            for _ in range(100):  # 30 s at most
                await asyncio.sleep(0.3)
                try:
                    writer.write(b"X-Slow: 1\r\n")
                    await writer.drain()
                except (ConnectionError, OSError):
                    return

        sending = asyncio.create_task(lines())
        try:
            return await asyncio.wait_for(reader.read(), 20)
        except (ConnectionError, OSError):
            return b"<reset>"
        finally:
            sending.cancel()
            writer.close()

    loop = asyncio.get_running_loop()
    started = loop.time()
    answers = asyncio.gather(*(trickle(r, w) for r, w in connections))
    await asyncio.sleep(0.5)
    normal = await normal_request(edge.port)
    got = await answers
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in got), {a[:40] for a in got}
    assert loop.time() - started < HEADER_TIMEOUT + 10
    assert normal.status == 200 and normal.seconds < NORMAL_SECONDS


async def test_silent_sockets_are_closed_at_the_header_timeout(edge: EdgeServer) -> None:
    """Before: 300 sockets that sent nothing were all still open 20 s later."""
    baseline = open_fds(edge.pid)
    connections = [await asyncio.open_connection("127.0.0.1", edge.port) for _ in range(100)]
    normal = await normal_request(edge.port)
    got = await asyncio.wait_for(
        asyncio.gather(*(reader.read() for reader, _ in connections)), HEADER_TIMEOUT + 10
    )
    for _, writer in connections:
        writer.close()
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in got)
    assert normal.status == 200 and normal.seconds < NORMAL_SECONDS
    for _ in range(100):
        if open_fds(edge.pid) <= baseline:
            break
        await asyncio.sleep(0.1)
    assert open_fds(edge.pid) <= baseline


async def test_a_trickled_body_gets_408_at_the_body_timeout(
    edge: EdgeServer, clean: Sandboxes
) -> None:
    body = json.dumps({"query": f'{{ account(source: ALGORAND, address: "{WHALE}") {{ id }} }}'})
    request = post_bytes(body.encode() + b" " * 200)
    head = request.index(b"\r\n\r\n") + 4  # the headers at once, then one byte each 0.05 s
    hostile = asyncio.create_task(
        exchange(edge.port, request, whole=head, chunk=1, pause=0.05, within=30)
    )
    await asyncio.sleep(0.3)
    normal = await normal_request(edge.port)
    got = await hostile
    assert got.status == 408, got.data[:200]
    assert _code(got.json()) == "REQUEST_TIMEOUT"
    assert got.seconds < BODY_TIMEOUT + 10
    assert normal.status == 200 and normal.seconds < NORMAL_SECONDS
    assert await upstream_total(clean) == 0


def _never_reading_client(port: int, request: bytes) -> socket.socket:
    """A socket with a tiny receive buffer that sends `request` and will never read."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(request)
    return sock


async def test_a_client_that_never_reads_is_dropped_at_the_write_timeout(
    edge: EdgeServer,
) -> None:
    """Three clients ask for GraphiQL's 3.5 MB script and never read it. Before, each kept its
    connection, its task and its open file for good (a GraphQL answer stayed in memory whole);
    now the server aborts them once they took nothing for WRITE_TIMEOUT_SECONDS, and a normal
    request is answered meanwhile."""
    request = f"GET {ASSETS_PATH}/graphiql.min.js HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    baseline = open_fds(edge.pid)
    clients = [_never_reading_client(edge.port, request) for _ in range(3)]
    try:
        for _ in range(100):  # until the server holds the three connections
            if open_fds(edge.pid) >= baseline + 3:
                break
            await asyncio.sleep(0.1)
        assert open_fds(edge.pid) >= baseline + 3
        normal = await normal_request(edge.port)
        assert normal.status == 200 and normal.seconds < NORMAL_SECONDS
        for _ in range(int((WRITE_TIMEOUT + 30) / 0.2)):
            if open_fds(edge.pid) <= baseline:
                break
            await asyncio.sleep(0.2)
        assert open_fds(edge.pid) <= baseline, "the never-reading connections are still open"
        assert any(entry.get("refusal") == "write_timeout" for entry in edge.logs)
        # What reached a client is a part of the answer, then a reset.
        for client in clients:
            client.settimeout(5)
            received = 0
            try:
                while data := client.recv(1 << 20):
                    received += len(data)
            except ConnectionResetError:
                pass
            assert received < 3_000_000  # of 3,513,580
    finally:
        for client in clients:
            client.close()


async def test_idle_sockets_over_the_descriptor_limit_do_not_lock_out_a_normal_request(
    http: aiohttp.ClientSession, sandboxes: Sandboxes
) -> None:
    """With 300 descriptors, 400 silent sockets locked real clients out (accept failed). The cap
    is lowered to what the descriptors hold, and a connection over it evicts the oldest idle one,
    long before any timeout (60 s here)."""
    async with start_edge_server(
        http, sandboxes, descriptors=300, HEADER_TIMEOUT_SECONDS="60", CALLER_RATE_PER_SECOND="0"
    ) as server:
        assert any("lowered to" in entry.get("message", "") for entry in server.logs)
        connections = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(400)]
        try:
            normal = await normal_request(server.port)
            assert normal.status == 200, normal.data[:200]
            assert normal.seconds < NORMAL_SECONDS
            assert open_fds(server.pid) < 300
        finally:
            for _, writer in connections:
                writer.close()
