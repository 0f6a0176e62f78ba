"""CORS over HTTP, as a browser sends it: preflights, the `Access-Control-*` headers of answers,
`Vary`, and the defaults (none for a configured deployment, the local development origins on
the embedded sandboxes). `tests/ecosystem/test_browser_cors.py` runs the same in Chromium."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from settings import Settings
from sources.algod import sandbox_data as algod_data
from tests.graph.support import ALGOD_ASSETS
from tests.harness import GraphClient, Sandboxes, serve_graph
from web.cors import REQUEST_HEADERS

APP = "https://app.example.com"
PREVIEW = "https://pr-42.preview.example.com"
QUERY = "query($a: String!) { account(source: ALGORAND, address: $a) { holdings { totalCount } } }"
# What Chromium asks before a POST with a bearer token and a Calico token.
ASKED = "authorization,content-type,x-calico-token"


@pytest_asyncio.fixture(scope="module")
async def cors(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    settings = sandboxes.settings(
        cors_allow_origins=APP,
        cors_allow_origin_patterns="https://*.preview.example.com, http://localhost:*",
        cors_max_age_seconds=1200,
    )
    async with serve_graph(settings, http) as client:
        yield client


async def preflight(
    http: aiohttp.ClientSession, url: str, origin: str, headers: str = ASKED
) -> aiohttp.ClientResponse:
    asked = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": headers,
    }
    async with http.options(url, headers=asked) as response:
        await response.read()
        return response


def vary(response: aiohttp.ClientResponse) -> list[str]:
    return [
        name.strip().lower()
        for value in response.headers.getall("Vary", [])
        for name in value.split(",")
    ]


@pytest.mark.parametrize("origin", [APP, PREVIEW, "http://localhost:5173", "http://localhost"])
async def test_a_preflight_from_an_allowed_origin_is_answered_with_what_the_graph_reads(
    cors: GraphClient, http: aiohttp.ClientSession, origin: str
) -> None:
    response = await preflight(http, cors.url, origin, ",".join(REQUEST_HEADERS).lower())
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST"
    allowed = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert set(REQUEST_HEADERS) <= allowed
    assert response.headers["Access-Control-Max-Age"] == "1200"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "origin" in vary(response)


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.net",
        "https://app.example.com.evil.net",
        "https://preview.example.com",  # the pattern needs one label before it
        "http://app.example.com",  # another scheme is another origin
        "https://localhost:5173",
        "null",
    ],
)
async def test_a_preflight_from_another_origin_gets_no_allow_origin(
    cors: GraphClient, http: aiohttp.ClientSession, origin: str
) -> None:
    response = await preflight(http, cors.url, origin)
    assert response.status == 400
    assert "Access-Control-Allow-Origin" not in response.headers


async def test_a_preflight_asking_for_a_header_the_graph_does_not_read_is_refused(
    cors: GraphClient, http: aiohttp.ClientSession
) -> None:
    response = await preflight(http, cors.url, APP, "content-type,x-something-else")
    assert response.status == 400


async def test_an_answer_to_an_allowed_origin_names_it_and_exposes_the_request_id(
    cors: GraphClient, http: aiohttp.ClientSession
) -> None:
    body = {"query": QUERY, "variables": {"a": algod_data.SMALL}}
    async with http.post(cors.url, json=body, headers={"Origin": APP}) as response:
        assert response.status == 200
        assert (await response.json())["data"]["account"]["holdings"]["totalCount"] > 0
        assert response.headers["Access-Control-Allow-Origin"] == APP
        assert response.headers["Access-Control-Expose-Headers"] == "X-Request-Id"
        # The graph's own Vary stays, with Origin beside it.
        assert {"accept", "authorization", "x-calico-token", "origin"} <= set(vary(response))


async def test_an_answer_to_another_origin_carries_no_allow_origin(
    cors: GraphClient, http: aiohttp.ClientSession
) -> None:
    body = {"query": QUERY, "variables": {"a": algod_data.SMALL}}
    headers = {"Origin": "https://evil.example.net"}
    async with http.post(cors.url, json=body, headers=headers) as response:
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "origin" in vary(response)


async def test_a_cacheable_answer_without_an_origin_still_varies_on_origin(
    cors: GraphClient, http: aiohttp.ClientSession
) -> None:
    # A shared cache must not hand this answer (no Allow-Origin) to a page of an allowed origin.
    params = {"query": QUERY, "variables": f'{{"a": "{algod_data.SMALL}"}}'}
    async with http.get(cors.url, params=params) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"].startswith("public")
        assert "origin" in vary(response)


async def test_a_refused_body_still_reaches_the_page(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(cors_allow_origins=APP, max_request_bytes=4096)
    async with serve_graph(settings, http) as graph:
        data = b'{"query": "' + b"#" * 5000 + b'"}'
        headers = {"Origin": APP, "Content-Type": "application/json"}
        async with http.post(graph.url, data=data, headers=headers) as response:
            assert response.status == 413
            assert response.headers["Access-Control-Allow-Origin"] == APP


async def test_credentials_are_allowed_only_when_configured(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(cors_allow_origins=APP, cors_allow_credentials=True)
    async with serve_graph(settings, http) as graph:
        response = await preflight(http, graph.url, APP)
    assert response.status == 200
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


async def test_a_configured_deployment_allows_no_origin_by_default(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    async with serve_graph(sandboxes.settings(), http) as graph:
        response = await preflight(http, graph.url, "http://localhost:5173")
        body = {"query": QUERY, "variables": {"a": algod_data.SMALL}}
        headers = {"Origin": "http://localhost:5173"}
        async with http.post(graph.url, json=body, headers=headers) as answer:
            assert "Access-Control-Allow-Origin" not in answer.headers
    assert response.status == 400
    assert "Access-Control-Allow-Origin" not in response.headers
    assert await clean.algod.count(ALGOD_ASSETS) == 1  # only the POST, answered but unreadable


async def test_the_embedded_sandboxes_allow_pages_on_this_machine_by_default(
    http: aiohttp.ClientSession,
) -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.all_sandboxed
    origins = {
        "http://localhost:5173": True,
        "http://127.0.0.1:3000": True,
        "http://[::1]:8080": True,
        "https://app.example.com": False,
        "http://192.168.1.20:5173": False,
        "https://localhost:5173": False,
    }
    async with serve_graph(settings, http) as graph:
        answers = {origin: await preflight(http, graph.url, origin) for origin in origins}
    for origin, allowed in origins.items():
        assert answers[origin].status == (200 if allowed else 400), origin
        expected = origin if allowed else None
        assert answers[origin].headers.get("Access-Control-Allow-Origin") == expected
