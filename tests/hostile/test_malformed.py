"""Every malformed request is a coded 4xx, never a 500, and nothing goes upstream.

Each case runs against a real `python server.py` beside a concurrent normal request, checks the
status and `extensions.code`, that the sandboxes served no request, and (for the whole module)
that the server logged nothing at ERROR: before, deep JSON, a huge integer and a byte that is not
UTF-8 were 500s with a traceback each.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import AsyncIterator
from urllib.parse import quote

import aiohttp
import pytest
import pytest_asyncio

from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes
from tests.hostile.edge_support import (
    EdgeServer,
    Exchange,
    exchange,
    normal_request,
    post_bytes,
    start_edge_server,
    upstream_total,
)

WHALE = "4BKTTRHZ2MXLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM"
ACCOUNT = f'{{ account(source: ALGORAND, address: "{WHALE}") {{ id }} }}'
VIEWER = "{ viewer { accounts { source holdings(first: 1) { totalCount } } } }"
NORMAL_SECONDS = 5.0
REFUSAL_SECONDS = 5.0


@pytest_asyncio.fixture(scope="module")
async def server(http: aiohttp.ClientSession, sandboxes: Sandboxes) -> AsyncIterator[EdgeServer]:
    """Headers up to 256 KiB, so the app's own credential bounds are what refuses."""
    async with start_edge_server(
        http, sandboxes, MAX_HEADER_BYTES=str(256 * 1024), CALLER_RATE_PER_SECOND="0"
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def _nothing_logged_at_error(server: EdgeServer) -> object:
    before = len(server.error_lines())
    yield None
    assert server.error_lines()[before:] == []


async def refused(
    server: EdgeServer, request: bytes, status: int, code: str, *, seconds: float = REFUSAL_SECONDS
) -> Exchange:
    """Sends `request` beside a normal request; checks the refusal and the normal answer (both
    within `seconds`)."""
    hostile, normal = await asyncio.gather(
        exchange(server.port, request), normal_request(server.port)
    )
    assert hostile.status == status, hostile.data[:300]
    body = hostile.json()
    assert body["errors"][0]["extensions"]["code"] == code, body
    assert "data" not in body
    assert hostile.seconds < seconds
    assert normal.status == 200 and normal.seconds < max(seconds, NORMAL_SECONDS)
    return hostile


def message(got: Exchange) -> str:
    return str(got.json()["errors"][0]["message"])


async def test_json_nested_a_thousand_deep_is_400(server: EdgeServer, clean: Sandboxes) -> None:
    body = b'{"query": "{ __typename }", "variables": ' + b'{"a":' * 1000 + b"1" + b"}" * 1001
    got = await refused(server, post_bytes(body), 400, "BAD_REQUEST")
    assert "nested deeper than 64" in message(got)
    assert await upstream_total(clean) == 0


async def test_get_variables_nested_a_thousand_deep_are_400(server: EdgeServer) -> None:
    variables = quote('{"a":' * 1000 + "1" + "}" * 1000)
    request = f"GET /graphql?query=%7B__typename%7D&variables={variables} HTTP/1.1\r\n"
    request += "Host: x\r\nConnection: close\r\n\r\n"
    got = await refused(server, request.encode(), 400, "BAD_REQUEST")
    assert "nested deeper than 64" in message(got)


async def test_an_integer_of_five_thousand_digits_is_400_and_not_echoed_whole(
    server: EdgeServer, clean: Sandboxes
) -> None:
    body = b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}"
    got = await refused(server, post_bytes(body), 400, "BAD_REQUEST")
    assert "5000 characters" in message(got)
    assert len(message(got)) < 300
    assert await upstream_total(clean) == 0


async def test_a_byte_that_is_not_utf8_is_400_naming_it(
    server: EdgeServer, clean: Sandboxes
) -> None:
    body = b'{"query": "{ __typename \xff }"}'
    got = await refused(server, post_bytes(body), 400, "BAD_REQUEST")
    assert "0xff at offset 24" in message(got)
    assert await upstream_total(clean) == 0


@pytest.mark.parametrize("coding", ["gzip", "br, x-nonsense"])
async def test_a_content_encoding_is_refused_415(
    server: EdgeServer, clean: Sandboxes, coding: str
) -> None:
    body = gzip.compress(json.dumps({"query": ACCOUNT}).encode())
    request = post_bytes(body, headers={"Content-Encoding": coding})
    got = await refused(server, request, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert got.headers["accept-encoding"] == "identity"
    assert await upstream_total(clean) == 0


async def test_content_encoding_identity_is_served(server: EdgeServer) -> None:
    request = post_bytes(b'{"query": "{ __typename }"}', headers={"Content-Encoding": "identity"})
    assert (await exchange(server.port, request)).status == 200


@pytest.mark.parametrize("header", ["Authorization", "X-Calico-Token"])
async def test_a_credential_header_sent_twice_is_refused(
    server: EdgeServer, clean: Sandboxes, header: str
) -> None:
    """Before: the first one won, silently."""
    alice, bob = GraphClient.token("alice"), GraphClient.token("bob")
    values = (
        [f"Bearer {alice}", f"Bearer {bob}"]
        if header == "Authorization"
        else [CALICO_TOKENS["alice"], CALICO_TOKENS["bob"]]
    )
    lines = "".join(f"{header}: {value}\r\n" for value in values)
    if header == "X-Calico-Token":
        lines += f"Authorization: Bearer {alice}\r\n"
    body = json.dumps({"query": VIEWER}).encode()
    request = post_bytes(body).replace(b"\r\n\r\n", b"\r\n" + lines.encode() + b"\r\n", 1)
    got = await refused(server, request, 400, "BAD_REQUEST")
    assert f"{header} is sent 2 times" in message(got)
    assert await upstream_total(clean) == 0


async def test_an_authorization_header_longer_than_any_jwt_is_refused(
    server: EdgeServer, clean: Sandboxes
) -> None:
    headers = {"Authorization": "Bearer " + "e" * 20_000}
    got = await refused(
        server,
        post_bytes(json.dumps({"query": VIEWER}).encode(), headers=headers),
        400,
        "UNAUTHENTICATED",
    )
    assert "Authorization has 20007 characters, more than 8192" in message(got)
    assert await upstream_total(clean) == 0


async def test_a_100kb_calico_token_is_refused_before_calico_is_called(
    server: EdgeServer, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    """Before: forwarded to Calico, which answered 400."""
    calls_before = await server.metric(http, "holdings_upstream_requests_total", source="CALICO")
    token = CALICO_TOKENS["alice"] + "x" * 100_000
    headers = {"Authorization": f"Bearer {GraphClient.token('alice')}", "X-Calico-Token": token}
    got = await refused(
        server,
        post_bytes(json.dumps({"query": VIEWER}).encode(), headers=headers),
        400,
        "UNAUTHENTICATED",
    )
    assert "X-Calico-Token has 100020 characters, more than 4096" in message(got)
    assert "xxxxxxxx" not in got.data.decode()
    assert await clean.calico.total() == 0
    assert await upstream_total(clean) == 0
    calls = await server.metric(http, "holdings_upstream_requests_total", source="CALICO")
    assert calls == calls_before


async def test_a_calico_token_with_characters_no_token_has_is_refused(
    server: EdgeServer, clean: Sandboxes
) -> None:
    headers = {
        "Authorization": f"Bearer {GraphClient.token('alice')}",
        "X-Calico-Token": "sandbox calico alice",
    }
    await refused(
        server,
        post_bytes(json.dumps({"query": VIEWER}).encode(), headers=headers),
        400,
        "UNAUTHENTICATED",
    )
    assert await upstream_total(clean) == 0


@pytest.mark.parametrize(
    "document",
    [
        f"query A {ACCOUNT} query B {ACCOUNT}",
        f"{ACCOUNT} {ACCOUNT}",
        f"query A {ACCOUNT} # a comment\n{ACCOUNT}",
    ],
)
async def test_several_operations_without_operation_name_fail(
    server: EdgeServer, clean: Sandboxes, document: str
) -> None:
    """Before: the first operation ran."""
    got = await refused(
        server, post_bytes(json.dumps({"query": document}).encode()), 400, "BAD_REQUEST"
    )
    assert "has 2 operations" in message(got) and "operationName" in message(got)
    assert await upstream_total(clean) == 0


async def test_a_document_of_comments_is_scanned_in_linear_time(server: EdgeServer) -> None:
    """A comment of `#` characters once made the scan for a second operation backtrack
    exponentially (a 30-character one took seconds)."""
    document = "query A { __typename } # " + "#" * 200_000 + "\n"
    body = json.dumps({"query": document}).encode()
    hostile, normal = await asyncio.gather(
        exchange(server.port, post_bytes(body)), normal_request(server.port)
    )
    assert hostile.status == 200 and hostile.seconds < REFUSAL_SECONDS
    assert hostile.json() == {"data": {"__typename": "Query"}}
    assert normal.status == 200 and normal.seconds < NORMAL_SECONDS


async def test_several_operations_with_operation_name_run_the_named_one(
    server: EdgeServer,
) -> None:
    document = "query A { __typename } query B { b: __typename }"
    body = json.dumps({"query": document, "operationName": "B"}).encode()
    got = await exchange(server.port, post_bytes(body))
    assert got.status == 200
    assert got.json() == {"data": {"b": "Query"}}


async def test_one_operation_with_fragments_and_values_is_not_mistaken_for_several(
    server: EdgeServer,
) -> None:
    document = (
        "fragment F on Query { __typename } "
        'query Q($v: [AccountRef!]! = [{source: ALGORAND, address: "x"} {source: CARDANO, '
        'address: "y"}]) { ...F accounts(refs: $v) { __typename } }'
    )
    got = await exchange(server.port, post_bytes(json.dumps({"query": document}).encode()))
    assert got.status == 200, got.data[-300:]
    assert got.json()["data"]["__typename"] == "Query"
    assert b"operations" not in got.data


@pytest.mark.parametrize("content_type", ["APPLICATION/JSON", "Application/Json; charset=UTF-8"])
async def test_media_types_are_case_insensitive(server: EdgeServer, content_type: str) -> None:
    """Before: `APPLICATION/JSON` was 400 "Unsupported content type"."""
    request = post_bytes(b'{"query": "{ __typename }"}', content_type=content_type)
    got = await exchange(server.port, request)
    assert got.status == 200, got.data[-300:]
    assert got.json() == {"data": {"__typename": "Query"}}


async def test_a_megabyte_field_name_is_echoed_clipped(
    server: EdgeServer, clean: Sandboxes
) -> None:
    """Before: the message carried the whole 1 MB name (a 1 MB answer)."""
    body = json.dumps({"query": "{ " + "a" * 1_000_000 + " }"}).encode()
    request = post_bytes(body, headers={"Accept": "application/graphql-response+json"})
    # Validating a 1 MB name (graphql-core's suggestions compare it with every field) takes
    # seconds of CPU on a loaded machine, and holds the event loop meanwhile: a generous bound.
    got = await refused(server, request, 400, "GRAPHQL_VALIDATION_FAILED", seconds=30)
    assert len(message(got)) <= 600
    assert "characters, shortened" in message(got)
    assert len(got.data) < 2000
    assert await upstream_total(clean) == 0


async def test_a_megabyte_variable_value_is_echoed_clipped(
    server: EdgeServer, clean: Sandboxes
) -> None:
    body = json.dumps(
        {"query": "query($n: Int) { __typename }", "variables": {"n": "b" * 1_000_000}}
    ).encode()
    request = post_bytes(body, headers={"Accept": "application/graphql-response+json"})
    got = await refused(server, request, 400, "BAD_USER_INPUT", seconds=30)
    assert len(message(got)) <= 600
    assert len(got.data) < 2000


async def test_a_trailing_slash_does_not_redirect_to_the_host_header(server: EdgeServer) -> None:
    """Before: 307 to `http://evil.example/graphql`, built from the request's Host."""
    for path in ("/graphql/", "/healthz/", "//evil.example/"):
        request = f"GET {path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
        got = await exchange(server.port, request.encode())
        assert got.status == 404, (path, got.data[:200])
        assert "location" not in got.headers
        assert b"evil.example" not in got.data


async def test_a_token_in_the_query_string_never_reaches_the_log(server: EdgeServer) -> None:
    """Before: the access log wrote the whole query string, token included."""
    secret = "query-string-secret-7f3a9c"
    request = (
        f"GET /graphql?query=%7B__typename%7D&access_token={secret}&x-calico-token={secret} "
        "HTTP/1.1\r\nHost: x\r\nX-Request-Id: token-in-url-test\r\nConnection: close\r\n\r\n"
    )
    got = await exchange(server.port, request.encode())
    assert got.status == 200
    for _ in range(50):  # the access line is written as the answer starts
        lines = [e for e in server.logs if e.get("request_id") == "token-in-url-test"]
        if any(e.get("logger") == "uvicorn.access" for e in lines):
            break
        await asyncio.sleep(0.1)
    access = [e["message"] for e in lines if e.get("logger") == "uvicorn.access"]
    assert access and re.search(r"/graphql\?query=…&access_token=…&x-calico-token=…", access[0])
    assert not [line for line in server.output if secret in line]
