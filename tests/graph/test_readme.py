"""The curl examples of the README and of `docs/` give the answers written beside them: a JSON
answer (the body), or an HTTP answer (the status, the headers shown, the body if shown). The
sandboxes' control examples (`docs/sandboxes.md`) are run against fresh sandboxes and do what the
page says."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from sources.algod.client import TOKEN_HEADER
from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN
from sources.algod.sandbox_data import SMALL, WHALE
from sources.cardanobi.sandbox import SANDBOX_API_KEY, SANDBOX_API_SECRET, TOKEN_PATH
from tests.docs_examples import (
    PAGES,
    curl_blocks,
    curl_examples,
    curl_request,
    example_ids,
    http_example_ids,
    http_examples,
    request_of,
)
from tests.harness import GraphClient, Sandboxes, serve_graph, start_sandboxes
from web.cors import DEV_ORIGIN_PATTERNS

EXAMPLE_COUNT = len(curl_examples())
HTTP_EXAMPLE_COUNT = len(http_examples())
#: `python server.py sandbox`'s ports, in the order the sandboxes take them (docs/sandboxes.md).
SANDBOX_PORTS = {8101: "algod", 8102: "cardanobi", 8103: "calico", 8104: "mesh"}


def _answered() -> set[str]:
    return {command for command, _ in curl_examples()} | {e.command for e in http_examples()}


def sandbox_commands() -> list[str]:
    """The curl commands of the pages that call a sandbox's control API, one a line."""
    return [
        line
        for block in curl_blocks()
        if block not in _answered()
        for line in block.splitlines()
        if line.startswith("curl ") and "/_sandbox/" in line
    ]


def test_the_readme_and_the_docs_have_examples() -> None:
    readme = sum(1 for name in example_ids() if name.startswith(PAGES[0].name))
    assert readme >= 3
    assert readme + 4 <= EXAMPLE_COUNT
    assert HTTP_EXAMPLE_COUNT >= 3


def test_every_curl_command_of_the_pages_is_run_by_a_test() -> None:
    """A curl block of the graph without a ```json or ```http answer after it, or one that is
    neither that nor sandbox control, would be run by no test."""
    for block in curl_blocks():
        if block in _answered():
            continue
        lines = [line for line in block.splitlines() if line.strip()]
        assert all(line in sandbox_commands() for line in lines), block
    assert len(sandbox_commands()) >= 3


@pytest.mark.parametrize("index", range(EXAMPLE_COUNT), ids=example_ids())
async def test_a_readme_example_answers_as_documented(graph: GraphClient, index: int) -> None:
    command, answer = curl_examples()[index]
    body, headers = request_of(command, graph.token("alice"))
    headers.pop("content-type", None)
    status, response = await graph.post(body["query"], headers=headers)
    assert status == 200
    assert response == json.loads(answer)


@pytest_asyncio.fixture(scope="module")
async def served(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    """A server as `scripts/serve` is one: this machine's pages may call it."""
    settings = sandboxes.settings(cors_allow_origin_patterns=DEV_ORIGIN_PATTERNS)
    async with serve_graph(settings, http) as graph:
        yield graph


@pytest.mark.parametrize("index", range(HTTP_EXAMPLE_COUNT), ids=http_example_ids())
async def test_an_http_example_answers_as_documented(served: GraphClient, index: int) -> None:
    example = http_examples()[index]
    request = curl_request(example.command, served.token("alice"))
    origin = served.url.removesuffix("/graphql")
    async with served.http.request(
        request.method,
        origin + request.target,
        headers=request.headers,
        data=request.body,
        # curl asks for no compression
        skip_auto_headers=("Accept-Encoding",),
    ) as response:
        text = await response.text()
        got = {name.lower(): value for name, value in response.headers.items()}
    assert response.status == example.status, text
    assert {name: got.get(name) for name in example.headers} == example.headers
    if example.body is not None:
        assert json.loads(text) == example.body


async def test_the_sandbox_control_examples_do_what_the_page_says(
    http: aiohttp.ClientSession,
) -> None:
    """Run on their own sandboxes (they would disturb the session's): algod fails twice then
    answers, CardanoBI answers its HTML quota page, its keys go on the dapp plan with OData."""
    async with start_sandboxes(http) as fresh:
        handles = {handle.name: handle for handle in fresh.all()}
        for command in sandbox_commands():
            request = curl_request(command)
            port = int(command.split("localhost:", 1)[1].split("/", 1)[0])
            handle = handles[SANDBOX_PORTS[port]]
            async with http.request(
                request.method, handle.url + request.target, data=request.body
            ) as response:
                assert response.status == 200, await response.text()
        algod = f"{handles['algod'].url}/v2/accounts/{WHALE}/assets"
        statuses = []
        for _ in range(3):
            async with http.get(algod, headers={TOKEN_HEADER: SANDBOX_ALGOD_TOKEN}) as response:
                statuses.append(response.status)
        assert statuses == [503, 503, 200]
        cardanobi = handles["cardanobi"].url
        login = {"Authorization": aiohttp.encode_basic_auth(SANDBOX_API_KEY, SANDBOX_API_SECRET)}
        grant = {"grant_type": "client_credentials"}
        async with http.post(cardanobi + TOKEN_PATH, headers=login, data=grant) as response:
            token = (await response.json())["access_token"]
        keys = {"Authorization": f"Bearer {token}", "Client-Api-Key": SANDBOX_API_KEY}
        async with http.get(f"{cardanobi}/api/core/epochs/latest", headers=keys) as response:
            assert (response.status, response.content_type) == (402, "text/html")
            assert await response.text() == "<html>402</html>"
        async with http.get(f"{cardanobi}/_sandbox/settings") as response:
            played = (await response.json())["settings"]
        assert (played["plan"], played["odata"]) == ("dapp", True)
        # docs/subscriptions.md: the small account's USDC moved, and its MAM is gone.
        small = f"{handles['algod'].url}/v2/accounts/{SMALL}/assets"
        async with http.get(small, headers={TOKEN_HEADER: SANDBOX_ALGOD_TOKEN}) as response:
            held = {
                entry["asset-holding"]["asset-id"]: entry["asset-holding"]["amount"]
                for entry in (await response.json())["asset-holdings"]
            }
        assert held[31566704] == 7000000 and 221685458 not in held
