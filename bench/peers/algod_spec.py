"""The algod OpenAPI document that GraphQL Mesh composes: the official one, trimmed to S1's route.

    python -m bench.peers.algod_spec OUT [--spec PATH] [--uint64 int64|official]

The source is go-algorand's `algod.oas3.yml` (JSON despite its name), kept unmodified in
`../shared/upstream-specs/`. The output keeps `GET /v2/accounts/{address}/assets`, the
components it refers to (followed through every `$ref`), and the security scheme. With
`--uint64 int64` (the default) the two uint64 integers that go past 2**31 (a holding's `amount`,
an asset's `total`) are declared `format: int64`, which @omnigraph/openapi maps to its BigInt
scalar; the official `format: uint64` maps to GraphQL's 32-bit `Int`, which fails on most of the
whale's amounts (`--uint64 official` keeps it, to show that). `decimals` (0..19) stays an `Int`.
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.processes import ROOT

__all__ = ["DEFAULT_SPEC", "ROUTE", "trim"]

ROUTE = "/v2/accounts/{address}/assets"
DEFAULT_SPEC = ROOT.parent / "shared" / "upstream-specs" / "algod.oas3.yml"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


_WIDENED = (("AssetHolding", "amount"), ("AssetParams", "total"))


def _widen_uint64(schemas: dict[str, Any]) -> None:
    for schema, field in _WIDENED:
        declared = schemas[schema]["properties"][field]
        if declared.get("format") != "uint64":
            raise ValueError(f"the algod spec's {schema}.{field} is no longer a uint64")
        declared["format"] = "int64"


def trim(spec: dict[str, Any], *, uint64_as_int64: bool = True) -> dict[str, Any]:
    """`spec` reduced to `GET ROUTE` and what it refers to (a new document; `spec` is kept)."""
    operation = copy.deepcopy(spec["paths"][ROUTE]["get"])
    components: dict[str, dict[str, Any]] = {}
    pending = list(_refs(operation))
    while pending:
        ref = pending.pop()
        prefix, section, name = ref.rsplit("/", 2)
        if prefix != "#/components":
            raise ValueError(f"unexpected $ref {ref!r} in the algod spec")
        if name in components.get(section, {}):
            continue
        target = copy.deepcopy(spec["components"][section][name])
        components.setdefault(section, {})[name] = target
        pending.extend(_refs(target))
    components["securitySchemes"] = copy.deepcopy(spec["components"]["securitySchemes"])
    trimmed = {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "servers": spec.get("servers", []),
        "security": spec.get("security", []),
        "paths": {ROUTE: {"get": operation}},
        "components": {
            section: dict(sorted(named.items())) for section, named in components.items()
        },
    }
    if uint64_as_int64:
        _widen_uint64(trimmed["components"]["schemas"])
    return trimmed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peers.algod_spec")
    parser.add_argument("out", type=Path)
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--uint64", choices=("int64", "official"), default="int64")
    arguments = parser.parse_args()
    spec = json.loads(arguments.spec.read_text())
    trimmed = trim(spec, uint64_as_int64=arguments.uint64 == "int64")
    arguments.out.write_text(json.dumps(trimmed, indent=1) + "\n")


if __name__ == "__main__":
    main()
