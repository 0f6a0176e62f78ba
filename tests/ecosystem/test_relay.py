"""Relay: the real `relay-compiler` accepts the client schema and Relay's own queries work on it.

`relay/src/` holds a client document per connection (`@connection` on `Account.holdings`,
`Account.positions`, `Query.providers`) and a `@refetchable` fragment per `Node` type (`Account`,
`AssetHolding`, `Asset`, `Position`, `Provider`). The compiler must accept them (and must refuse
`relay/broken/`, so this test can fail); then the queries it generated, taken from its
artifacts, are sent to the server: each refetch query finds its node again through `node(id:)`,
and a pagination query walks a connection with the cursors Relay passes back. With the
`relay.config.json` of `docs/ecosystem.md` (TypeScript, `customScalarTypes`), the generated types
say `string` for the exact numbers, not `any`. A `@defer`red fragment (`PortfolioScreen.js`) comes
in parts whose `label` and `path` are the ones Relay's runtime matches its payloads by. Relay's
runtime (`relay-runtime`'s `fetchQuery`) runs a refetch query through the network layer of
`docs/ecosystem.md` as written there, and with its persisted body on a server that trusts
Relay's manifest, and stores what the server answered.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from tests.docs_examples import ROOT, snippet
from tests.ecosystem.node_tools import NODE_DIR, TEST_OUTPUT, node, run_tool
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.web.incremental_client import post_for_parts

RELAY_DIR = Path(__file__).resolve().parent / "relay"
COMPILER = NODE_DIR / "node_modules" / ".bin" / "relay-compiler"
ARTIFACTS = TEST_OUTPUT / "relay" / "__generated__"

CONNECTIONS = {
    "AccountHoldingsPaginationQuery": "holdings",
    "AccountPositionsPaginationQuery": "positions",
    "ProviderListPaginationQuery": "providers",
}
REFETCH_BY_TYPE = {
    "Account": "AccountHoldingsPaginationQuery",
    "AssetHolding": "HoldingViewRefetchQuery",
    "Asset": "AssetViewRefetchQuery",
    "Position": "PositionViewRefetchQuery",
    "Provider": "ProviderViewRefetchQuery",
}


def _make_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)


def _generated(artifacts: Path) -> set[str]:
    return {path.name.removesuffix(".graphql.js") for path in artifacts.glob("*.graphql.js")}


def _documented_config(directory: Path, **changes: Any) -> Path:
    """The docs' relay.config.json, on this test's sources and the client schema, with
    `changes`, written in `directory`."""
    config = json.loads(snippet("json", "customScalarTypes"))
    config.update(
        src=str(RELAY_DIR / "src"),
        schema=str(ROOT / "schema.client.graphql"),
        artifactDirectory=str(directory / "__generated__"),
        **changes,
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "relay.config.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def _artifact(artifacts: Path, name: str) -> str:
    return (artifacts / name).read_text(encoding="utf-8")


async def compile_with(config: str | Path, artifacts: Path) -> tuple[int, str]:
    _make_dir(artifacts)  # the compiler insists that it exists
    node()
    finished = await run_tool(COMPILER, config, cwd=RELAY_DIR)
    return finished.returncode, finished.stdout + finished.stderr


@pytest_asyncio.fixture(scope="module")
async def compiled() -> Path:
    returncode, output = await compile_with("relay.config.json", ARTIFACTS)
    assert returncode == 0, output
    return ARTIFACTS


def operation_text(artifacts: Path, name: str) -> str:
    """The query text Relay generated for operation `name` (what a Relay app sends): the JSON
    string literal of the artifact's `params.text`."""
    source = (artifacts / f"{name}.graphql.js").read_text(encoding="utf-8")
    found = re.search(r'"text": ("(?:[^"\\]|\\.)*")', source)
    assert found, f"no operation text in the {name} artifact"
    text: str = json.loads(found.group(1))
    return text


async def test_the_relay_compiler_accepts_a_connection_and_a_refetchable_per_node_type(
    compiled: Path,
) -> None:
    assert set(CONNECTIONS) | set(REFETCH_BY_TYPE.values()) <= _generated(compiled)


async def test_the_relay_compiler_fails_on_a_document_that_breaks_relays_rules() -> None:
    returncode, output = await compile_with(
        "relay.broken.json", TEST_OUTPUT / "relay-broken" / "__generated__"
    )
    assert returncode != 0
    assert "Broken.js" in output and "providers" in output


async def some_ids(graph: GraphClient) -> dict[str, str]:
    """One id of each Node type, as the graph hands them out."""
    query = """
    query Ids($address: String!) {
      account(source: ALGORAND, address: $address) {
        id
        holdings(first: 1) { nodes { id asset { id } provider { id } } }
      }
      viewer { accounts { positions(first: 1) { nodes { id } } } }
    }
    """
    data = await graph.data(query, {"address": algod_data.SMALL}, user="alice")
    holding = data["account"]["holdings"]["nodes"][0]
    position = next(
        account["positions"]["nodes"][0]
        for account in data["viewer"]["accounts"]
        if account["positions"]["nodes"]
    )
    return {
        "Account": data["account"]["id"],
        "AssetHolding": holding["id"],
        "Asset": holding["asset"]["id"],
        "Position": position["id"],
        "Provider": holding["provider"]["id"],
    }


@pytest.mark.parametrize("type_name", list(REFETCH_BY_TYPE))
async def test_relays_refetch_query_finds_each_node_type_again(
    graph: GraphClient, compiled: Path, type_name: str
) -> None:
    ids = await some_ids(graph)
    text = operation_text(compiled, REFETCH_BY_TYPE[type_name])
    data = await graph.data(text, {"id": ids[type_name]}, user="alice")
    assert data["node"]["__typename"] == type_name
    assert data["node"]["id"] == ids[type_name]


async def test_relays_pagination_query_walks_a_connection_with_the_cursors_it_gets(
    graph: GraphClient, compiled: Path
) -> None:
    account_id = (await some_ids(graph))["Account"]
    text = operation_text(compiled, "AccountHoldingsPaginationQuery")
    raw_amounts: list[str] = []
    variables: dict[str, Any] = {"id": account_id, "count": 2, "cursor": None}
    for _ in range(10):
        holdings = (await graph.data(text, variables))["node"]["holdings"]
        raw_amounts += [edge["node"]["rawAmount"] for edge in holdings["edges"]]
        if not holdings["pageInfo"]["hasNextPage"]:
            break
        variables["cursor"] = holdings["pageInfo"]["endCursor"]
    # The native ALGO balance heads the list, then the ASAs.
    expected = [str(algod_data.algo_balances()[algod_data.SMALL])]
    expected += [str(h.amount) for h in algod_data.account_holdings(algod_data.SMALL)]
    assert raw_amounts == expected


async def test_relays_deferred_fragment_comes_in_parts_labelled_as_relay_labelled_it(
    graph: GraphClient, compiled: Path, clean: Sandboxes
) -> None:
    text = operation_text(compiled, "PortfolioScreenQuery")
    label = re.search(r'@defer\(label: "([^"]+)"\)', text)
    assert label, text  # the compiler gave the fragment its label
    answer = await post_for_parts(
        graph, text, {"address": algod_data.SMALL}, headers=graph.headers("alice", calico=True)
    )
    first, *later = answer.bodies
    assert first["hasNext"] is True and first["data"]["account"]["chainId"]
    entries = [entry for body in later for entry in body.get("incremental", ())]
    assert sorted(tuple(e["path"]) for e in entries) == [
        ("viewer", "accounts", 0),
        ("viewer", "accounts", 1),
    ]
    assert {e["label"] for e in entries} == {label.group(1)}
    assert all(e["data"]["holdings"]["edges"] for e in entries)


async def test_relays_typescript_artifacts_type_the_exact_numbers_as_strings() -> None:
    directory = TEST_OUTPUT / "relay-typed"
    returncode, output = await compile_with(
        _documented_config(directory), directory / "__generated__"
    )
    assert returncode == 0, output
    holdings = _artifact(directory / "__generated__", "AccountHoldings_account.graphql.ts")
    assert "readonly amount: string;" in holdings
    assert "readonly rawAmount: string | null | undefined;" in holdings
    holding = _artifact(directory / "__generated__", "HoldingView_holding.graphql.ts")
    assert "readonly priceUsd: string | null | undefined;" in holding
    assert ": any" not in holdings + holding


async def test_without_custom_scalar_types_relay_would_type_them_any() -> None:
    directory = TEST_OUTPUT / "relay-untyped"
    config = _documented_config(directory, customScalarTypes={})
    returncode, output = await compile_with(config, directory / "__generated__")
    assert returncode == 0, output
    holdings = _artifact(directory / "__generated__", "AccountHoldings_account.graphql.ts")
    assert "readonly amount: any;" in holdings


@pytest_asyncio.fixture(scope="module")
async def persisted() -> tuple[Path, Path]:
    """Relay's artifacts and its manifest, compiled with the docs' `persistConfig`."""
    directory = TEST_OUTPUT / "relay-persisted"
    documented = json.loads("{" + snippet("json", "persistConfig") + "}")["persistConfig"]
    manifest = directory / "persisted_queries.json"
    _start_manifest(manifest)
    config = _documented_config(
        directory, language="javascript", persistConfig={**documented, "file": str(manifest)}
    )
    returncode, output = await compile_with(config, directory / "__generated__")
    assert returncode == 0, output
    return directory / "__generated__", manifest


def _start_manifest(manifest: Path) -> None:
    # relay-compiler insists that the file exists, and only writes the operations whose
    # artifacts it writes: start from nothing.
    shutil.rmtree(manifest.parent, ignore_errors=True)
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}", encoding="utf-8")


def operation_id(artifacts: Path, name: str) -> str:
    """The id Relay put in operation `name`'s artifact (its text is then null)."""
    source = (artifacts / f"{name}.graphql.js").read_text(encoding="utf-8")
    found = re.search(r'"id": "([0-9a-f]+)"', source)
    assert found and '"text": null' in source, f"no persisted id in the {name} artifact"
    return found.group(1)


def by_id(document_id: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": document_id}}


async def test_a_server_trusting_relays_manifest_runs_relays_operations_by_id(
    graph: GraphClient,
    sandboxes: Sandboxes,
    http: aiohttp.ClientSession,
    persisted: tuple[Path, Path],
) -> None:
    artifacts, manifest = persisted
    ids = await some_ids(graph)  # asked of an ordinary server: this query is in no manifest
    async with serve_graph(sandboxes.settings(trusted_documents=manifest), http) as trusted:
        for type_name, operation in REFETCH_BY_TYPE.items():
            body = {
                "extensions": by_id(operation_id(artifacts, operation)),
                "variables": {"id": ids[type_name]},
            }
            headers = trusted.headers("alice")
            async with http.post(trusted.url, json=body, headers=headers) as response:
                answer = await response.json()
            assert response.status == 200 and "errors" not in answer, answer
            assert answer["data"]["node"]["id"] == ids[type_name]


async def test_a_server_trusting_relays_manifest_refuses_what_is_not_in_it(
    sandboxes: Sandboxes,
    clean: Sandboxes,
    http: aiohttp.ClientSession,
    persisted: tuple[Path, Path],
) -> None:
    _, manifest = persisted
    texts = json.loads(manifest.read_text(encoding="utf-8"))
    assert len(texts) >= len(REFETCH_BY_TYPE)
    async with serve_graph(sandboxes.settings(trusted_documents=manifest), http) as trusted:
        refused = []
        for body in (
            {"query": "{ providers(first: 1) { nodes { slug } } }"},
            {"extensions": by_id("0" * 64)},
        ):
            async with http.post(trusted.url, json=body) as response:
                answer = await response.json()
            refused.append((response.status, answer["errors"][0]["extensions"]["code"]))
    assert refused == [(400, "PERSISTED_QUERY_NOT_IN_LIST")] * 2
    assert [await handle.total() for handle in clean.all()] == [0, 0, 0, 0]


RELAY_RUN = """
import { createRequire } from "node:module";
import { Environment, Network, RecordSource, Store, fetchQuery } from "relay-runtime";
import { sent } from "./recording-fetch.mjs";

const input = JSON.parse(process.env.RELAY_RUN_INPUT);
const token = input.token;
__NETWORK__
const environment = new Environment({ network, store: new Store(new RecordSource()) });
const query = createRequire(input.artifact)(input.artifact);
const data = await fetchQuery(environment, query, input.variables).toPromise();
const record = environment.getStore().getSource().get(data.node.__id);
process.stdout.write(JSON.stringify({ requests: sent, record }) + "\\n");
"""
DOCUMENTED_URL = '"http://127.0.0.1:8000/graphql"'
TEXT_BODY = "    body: JSON.stringify({ query: operation.text, variables }),\n"


def documented_network(url: str, *, persisted: bool) -> str:
    """docs/ecosystem.md's Relay network layer, calling `url`; with `persisted`, its body
    replaced by the documented one that sends the operation's id."""
    network = snippet("js", "const network = Network.create(async (operation, variables) =>")
    assert network.count(DOCUMENTED_URL) == 1 and network.count(TEXT_BODY) == 1
    network = network.replace(DOCUMENTED_URL, json.dumps(url))
    if persisted:
        by_id = snippet("js", "sha256Hash: operation.id").strip()
        network = network.replace(TEXT_BODY, "    " + by_id.replace("\n", "\n    ") + "\n")
    return network


async def relay_fetch(
    url: str, artifact: Path, variables: dict[str, Any], *, persisted: bool = False
) -> dict[str, Any]:
    """relay-runtime's `fetchQuery` of `artifact` through the documented network layer (alice's
    token): the requests it sent and the record its store holds for the node it fetched."""
    source = RELAY_RUN.replace("__NETWORK__", documented_network(url, persisted=persisted))
    given = {"token": GraphClient.token("alice"), "artifact": str(artifact), "variables": variables}
    finished = await run_tool(
        node(), "--input-type=module", "--eval", source, env={"RELAY_RUN_INPUT": json.dumps(given)}
    )
    assert finished.returncode == 0, finished.stderr
    ran: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return ran


async def test_relay_runtime_with_the_documented_network_layer_fetches_a_node(
    graph: GraphClient, compiled: Path
) -> None:
    ids = await some_ids(graph)
    artifact = compiled / f"{REFETCH_BY_TYPE['AssetHolding']}.graphql.js"
    ran = await relay_fetch(graph.url, artifact, {"id": ids["AssetHolding"]})
    assert [(r["method"], r["status"], r["codes"]) for r in ran["requests"]] == [("POST", 200, [])]
    assert ran["requests"][0]["operations"] == [{"hasQuery": True, "hash": None}]
    # Relay put the server's answer in its store: the holding, with its exact amount.
    direct = await graph.data(
        "query($id: ID!) { node(id: $id) { ... on AssetHolding { amount } } }",
        {"id": ids["AssetHolding"]},
    )
    record = ran["record"]
    assert (record["__typename"], record["id"]) == ("AssetHolding", ids["AssetHolding"])
    assert record["amount"] == direct["node"]["amount"]


async def test_relay_runtime_with_the_documented_persisted_body_runs_by_id_on_a_trusted_server(
    graph: GraphClient,
    sandboxes: Sandboxes,
    http: aiohttp.ClientSession,
    persisted: tuple[Path, Path],
) -> None:
    artifacts, manifest = persisted
    ids = await some_ids(graph)
    operation = REFETCH_BY_TYPE["AssetHolding"]
    async with serve_graph(sandboxes.settings(trusted_documents=manifest), http) as trusted:
        ran = await relay_fetch(
            trusted.url,
            artifacts / f"{operation}.graphql.js",
            {"id": ids["AssetHolding"]},
            persisted=True,
        )
    assert ran["requests"][0]["operations"] == [
        {"hasQuery": False, "hash": operation_id(artifacts, operation)}
    ]
    assert [(r["status"], r["codes"]) for r in ran["requests"]] == [(200, [])]
    assert (ran["record"]["__typename"], ran["record"]["id"]) == (
        "AssetHolding",
        ids["AssetHolding"],
    )
