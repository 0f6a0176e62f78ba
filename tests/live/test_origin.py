"""Which pages may open the graph's WebSocket (`GraphQLView.is_websocket_origin_allowed`): a
handshake whose `Origin` is neither the graph's own nor one the CORS settings allow is refused
with 403 before any subscription runs; the graph's own origin, an allowed one and a client
without `Origin` (not a browser) subscribe. (Chromium's side:
tests/ecosystem/test_browser_websocket_origin.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp
import pytest
import pytest_asyncio

from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.live.clients import TransportWS
from tests.live.conftest import LIVE_SETTINGS
from tests.live.support import HOLDINGS, SMALL, holdings_of

ALLOWED = "https://app.example.com"


@pytest_asyncio.fixture(scope="module")
async def graph(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    # A configured deployment's CORS: one app, one family of previews; not the dev origins.
    settings = sandboxes.settings(
        cors_allow_origins=ALLOWED,
        cors_allow_origin_patterns="https://*.preview.example.com",
        **LIVE_SETTINGS,
    )
    async with serve_graph(settings, http, ws="websockets-sansio") as client:
        yield client


async def _first_event(http: aiohttp.ClientSession, url: str, origin: str | None) -> bool:
    async with TransportWS.open(http, url, origin=origin) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        initial: bool = (await client.next("1"))["data"]["holdingsChanged"]["initial"]
        return initial


@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "https://app.example.com.evil.example",
        "https://a.b.preview.example.com",  # `*` is one label
        "http://app.example.com",  # another scheme is another origin
        "null",  # a sandboxed frame or a file
        "http://localhost:5173",  # the dev origins are for the sandboxes' defaults only
    ],
)
async def test_a_page_of_an_origin_not_allowed_is_refused_before_any_subscription(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession, origin: str
) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await _first_event(http, graph.url, origin)
    assert refused.value.status == 403
    assert await clean.algod.total() == 0


@pytest.mark.parametrize(
    "origin", [ALLOWED, "HTTPS://APP.EXAMPLE.COM", "https://pr-7.preview.example.com", None]
)
async def test_an_allowed_page_or_a_client_without_origin_subscribes(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession, origin: str | None
) -> None:
    assert await _first_event(http, graph.url, origin) is True
    assert await clean.algod.total() > 0


async def test_the_graphs_own_origin_subscribes_without_being_listed(
    graph: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    # A page the graph serves itself (GraphiQL) opens the socket from the graph's own origin.
    own = urlsplit(graph.url)
    assert await _first_event(http, graph.url, f"{own.scheme}://{own.netloc}") is True
    # Another port of the same host is another origin.
    port = own.port or 80
    other = f"{own.scheme}://{own.hostname}:{port + 1}"
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await _first_event(http, graph.url, other)
    assert refused.value.status == 403
