"""The algod spec that Mesh composes: the official document trimmed to S1's route."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bench.peers.algod_spec import DEFAULT_SPEC, ROUTE, trim


def _official() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads(DEFAULT_SPEC.read_text())
    return spec


def test_it_keeps_the_route_and_every_component_it_refers_to() -> None:
    official = _official()
    trimmed = trim(official)
    assert list(trimmed["paths"]) == [ROUTE]
    assert list(trimmed["paths"][ROUTE]) == ["get"]
    assert trimmed["paths"][ROUTE]["get"]["operationId"] == "AccountAssetsInformation"
    schemas = trimmed["components"]["schemas"]
    assert sorted(schemas) == [
        "AccountAssetHolding",
        "AssetHolding",
        "AssetParams",
        "ErrorResponse",
    ]
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(trimmed)))
    assert refs
    assert refs <= set(schemas)
    assert trimmed["components"]["securitySchemes"] == official["components"]["securitySchemes"]


def test_amount_and_total_become_mesh_bigints_and_nothing_else_changes() -> None:
    official = _official()
    widened, kept = trim(official), trim(official, uint64_as_int64=False)
    for schema, field in (("AssetHolding", "amount"), ("AssetParams", "total")):
        assert widened["components"]["schemas"][schema]["properties"][field]["format"] == "int64"
        assert kept["components"]["schemas"][schema]["properties"][field]["format"] == "uint64"
        kept["components"]["schemas"][schema]["properties"][field]["format"] = "int64"
    assert widened == kept
    # The official document itself is left as it was.
    assert official["components"]["schemas"]["AssetHolding"]["properties"]["amount"]["format"] == (
        "uint64"
    )


def test_a_spec_whose_amount_is_no_longer_uint64_is_refused() -> None:
    official = _official()
    official["components"]["schemas"]["AssetHolding"]["properties"]["amount"]["format"] = "int32"
    with pytest.raises(ValueError, match=r"AssetHolding\.amount"):
        trim(official)
