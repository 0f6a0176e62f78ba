"""The client schema: what graphql-js tools load, and typed clients generated from it.

`schema.client.graphql` (written by `python server.py export-schema`) must load in graphql-js
where `schema.graphql` does not, and validate, with graphql-inspector (`@graphql-inspector/core`,
`node/inspect.mjs`), every operation the README and `docs/` show; a wrong operation must be
reported. GraphQL Code Generator (`@graphql-codegen/cli` with `typescript` and
`typescript-operations`), run with the `codegen.yml` of `docs/ecosystem.md` over its operation,
must type the exact numbers `string` (without the scalar mapping they come out `unknown`).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from tests.docs_examples import ROOT, curl_examples, operations, snippet
from tests.ecosystem.node_tools import NODE_MODULES, TEST_OUTPUT, node, run_tool

CLIENT_SCHEMA = ROOT / "schema.client.graphql"
CODEGEN = NODE_MODULES / ".bin" / "graphql-codegen"
WRONG = {
    "unknown field": '{ account(source: ALGORAND, address: "x") { balance } }',
    "amount is a leaf": '{ node(id: "x") { ... on AssetHolding { amount { value } } } }',
}


def _write_documents(workdir: Path, documents: dict[str, str]) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    documents_file = workdir / "documents.json"
    documents_file.write_text(json.dumps(documents), encoding="utf-8")
    return documents_file


async def inspect(schema_file: Path, documents: dict[str, str], workdir: Path) -> dict[str, Any]:
    documents_file = _write_documents(workdir, documents)
    finished = await run_tool(node(), "inspect.mjs", schema_file, documents_file)
    assert finished.returncode == 0, finished.stderr
    answer: dict[str, Any] = json.loads(finished.stdout)
    return answer


async def test_graphql_inspector_finds_every_documented_operation_valid_on_the_client_schema() -> (
    None
):
    documents = operations()
    # Both kinds: the curl examples' queries and the ```graphql blocks.
    assert len(documents) > len(curl_examples()) >= 3
    answer = await inspect(CLIENT_SCHEMA, documents, TEST_OUTPUT / "inspector")
    assert answer["loaded"], answer
    assert answer["invalid"] == []


async def test_graphql_inspector_reports_operations_the_client_schema_refuses() -> None:
    answer = await inspect(CLIENT_SCHEMA, WRONG, TEST_OUTPUT / "inspector-wrong")
    assert answer["loaded"], answer
    assert sorted(invalid["name"] for invalid in answer["invalid"]) == sorted(WRONG)


async def test_graphql_js_refuses_the_subgraph_sdl_which_is_why_the_client_schema_exists() -> None:
    answer = await inspect(ROOT / "schema.graphql", {}, TEST_OUTPUT / "inspector-subgraph")
    assert not answer["loaded"]
    assert 'Unknown directive "@link"' in answer["error"]


def _operation_type(generated: str, name: str) -> str:
    found = re.search(rf"^export type {name}Query = (.*);$", generated, re.M)
    assert found, f"no {name}Query type in the generated file"
    return found.group(1)


def _codegen_project(workdir: Path, config: str) -> Path:
    """A fresh project in `workdir`: the client schema, the docs' AccountAmounts operation and
    `config` as its codegen.yml; where codegen will write."""
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "src").mkdir(parents=True)
    shutil.copy(CLIENT_SCHEMA, workdir / "schema.client.graphql")
    (workdir / "src" / "AccountAmounts.graphql").write_text(
        snippet("graphql", "query AccountAmounts"), encoding="utf-8"
    )
    (workdir / "codegen.yml").write_text(config, encoding="utf-8")
    return workdir / "src" / "__generated__" / "graphql.ts"


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


async def _codegen(workdir: Path, config: str) -> str:
    """Run graphql-codegen with `config` over a fresh project in `workdir`; the TypeScript."""
    output = _codegen_project(workdir, config)
    node()
    # codegen loads its plugins from where it runs (a project's own node_modules); this
    # workdir has none, so point it at the test's.
    finished = await run_tool(
        CODEGEN, "--config", "codegen.yml", cwd=workdir, env={"NODE_PATH": str(NODE_MODULES)}
    )
    generated = _read(output)
    assert finished.returncode == 0 and generated, finished.stdout + finished.stderr
    return generated


async def test_codegen_with_the_documented_config_types_amounts_as_strings() -> None:
    generated = await _codegen(TEST_OUTPUT / "codegen", snippet("yaml", "typescript-operations"))
    query = _operation_type(generated, "AccountAmounts")
    assert "amount: string," in query
    assert "rawAmount: string | null" in query
    assert "valueUsd: string | null" in query
    assert "totalValueUsd: string" in query and "asOf: string | null" in query
    assert "unknown" not in query and "any" not in re.findall(r"\w+", query)


async def test_codegen_without_the_scalar_mapping_leaves_amounts_unknown() -> None:
    # What the documented mapping is for: the same run without `config`.
    config = snippet("yaml", "typescript-operations").split("    config:")[0]
    generated = await _codegen(TEST_OUTPUT / "codegen-unmapped", config)
    assert "amount: unknown" in _operation_type(generated, "AccountAmounts")
