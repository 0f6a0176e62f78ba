"""Trusted-documents mode (TRUSTED_DOCUMENTS): only the manifest's operations run, named by id or
sent as their exact text; anything else is refused, coded, before any upstream call.

Both manifest forms: Relay's `persistConfig` output (an object id -> text) and Apollo's
persisted-query manifest. (`tests/ecosystem/test_relay.py` runs one that relay-compiler wrote.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from server import create_app
from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes, serve_graph

HOLDINGS = (
    "query Holdings($address: String!) { account(source: ALGORAND, address: $address) "
    "{ holdings(first: 1) { nodes { rawAmount } } } }"
)
PROVIDERS = "query Providers { providers(first: 1) { nodes { slug } } }"
VARIABLES = {"address": algod_data.SMALL}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def relay_manifest() -> dict[str, str]:
    # Relay's default ids are MD5 hashes: an id is looked up, never recomputed.
    return {hashlib.md5(text.encode()).hexdigest(): text for text in (HOLDINGS, PROVIDERS)}


def apollo_manifest() -> dict[str, Any]:
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha256(HOLDINGS), "name": "Holdings", "type": "query", "body": HOLDINGS},
            {"id": sha256(PROVIDERS), "name": "Providers", "type": "query", "body": PROVIDERS},
        ],
    }


MANIFESTS = {"relay": relay_manifest, "apollo": apollo_manifest}


def ids_of(manifest: dict[str, Any]) -> dict[str, str]:
    """Operation text -> its id in `manifest`."""
    if "operations" in manifest:
        return {op["body"]: op["id"] for op in manifest["operations"]}
    return {text: key for key, text in manifest.items()}


@pytest_asyncio.fixture(params=list(MANIFESTS))
async def trusted(
    request: pytest.FixtureRequest,
    sandboxes: Sandboxes,
    http: aiohttp.ClientSession,
    tmp_path: Path,
) -> AsyncIterator[tuple[GraphClient, dict[str, str]]]:
    manifest = MANIFESTS[request.param]()
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    async with serve_graph(sandboxes.settings(trusted_documents=path), http) as graph:
        yield graph, ids_of(manifest)


async def post(graph: GraphClient, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with graph.http.post(graph.url, json=body) as response:
        return response.status, await response.json()


def by_id(document_id: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": document_id}}


async def test_a_trusted_document_runs_by_its_id(
    trusted: tuple[GraphClient, dict[str, str]], clean: Sandboxes
) -> None:
    graph, ids = trusted
    status, body = await post(graph, {"variables": VARIABLES, "extensions": by_id(ids[HOLDINGS])})
    assert status == 200, body
    nodes = body["data"]["account"]["holdings"]["nodes"]
    assert nodes == [{"rawAmount": str(algod_data.algo_balances()[algod_data.SMALL])}]


async def test_a_trusted_documents_exact_text_runs(
    trusted: tuple[GraphClient, dict[str, str]],
) -> None:
    graph, _ = trusted
    status, body = await post(graph, {"query": PROVIDERS})
    assert status == 200 and body["data"]["providers"]["nodes"], body


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ providers(first: 5) { nodes { slug } } }"},
        {"query": HOLDINGS + " ", "variables": VARIABLES},
        {"extensions": by_id("0" * 64)},
        {"query": HOLDINGS, "variables": VARIABLES, "extensions": by_id("f" * 32)},
    ],
    ids=["another text", "a text not exactly the trusted one", "unknown id", "unknown id + text"],
)
async def test_anything_else_is_refused_coded_before_any_upstream_call(
    trusted: tuple[GraphClient, dict[str, str]], clean: Sandboxes, body: dict[str, Any]
) -> None:
    graph, _ = trusted
    status, answer = await post(graph, body)
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    assert "TRUSTED_DOCUMENTS" in answer["errors"][0]["message"]
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


async def test_an_id_sent_with_another_text_is_refused(
    trusted: tuple[GraphClient, dict[str, str]],
) -> None:
    graph, ids = trusted
    status, answer = await post(graph, {"query": PROVIDERS, "extensions": by_id(ids[HOLDINGS])})
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


async def test_automatic_persisted_queries_cannot_add_to_the_trusted_documents(
    trusted: tuple[GraphClient, dict[str, str]],
) -> None:
    graph, _ = trusted
    text = "{ providers(first: 2) { nodes { slug } } }"
    status, answer = await post(graph, {"query": text, "extensions": by_id(sha256(text))})
    assert status == 400
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    status, answer = await post(graph, {"extensions": by_id(sha256(text))})
    assert answer["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "is not a JSON file"),
        ("[]", "a manifest is a JSON object, not list"),
        ("{}", "holds no operation"),
        ('{"abc": 7}', "every value is an operation's text; 'abc' is not"),
        ('{"format": "something-else", "version": 1}', "'something-else' version '1'"),
        (
            '{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{}]}',
            "operations[0] needs a string `id` and a string `body`",
        ),
    ],
)
def test_a_manifest_in_neither_form_stops_the_server_saying_why(
    sandboxes: Sandboxes, tmp_path: Path, content: str, says: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(content)
    with pytest.raises(SystemExit) as stopped:
        create_app(sandboxes.settings(trusted_documents=path))
    assert "trusted_documents" in str(stopped.value) and says in str(stopped.value)


def test_a_missing_manifest_stops_the_server(sandboxes: Sandboxes, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="cannot be read"):
        create_app(sandboxes.settings(trusted_documents=tmp_path / "absent.json"))
