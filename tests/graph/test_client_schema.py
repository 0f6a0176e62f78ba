"""`schema.client.graphql`: the served graph as a client sees it, without federation plumbing."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    specified_directives,
)

from schema import schema
from schema.client import client_sdl

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schema.client.graphql"


def _committed() -> GraphQLSchema:
    return build_schema(COMMITTED.read_text())


def test_schema_client_graphql_is_what_the_code_builds() -> None:
    assert COMMITTED.read_text() == client_sdl(schema._schema), (
        "re-export: python server.py export-schema > schema.graphql"
    )


def test_the_client_schema_has_no_router_plumbing() -> None:
    client = _committed()
    assert client.query_type is not None
    assert not {"_service", "_entities"} & set(client.query_type.fields)
    plumbing = {name for name in client.type_map if name.startswith(("_", "link__"))}
    assert plumbing == {name for name in client.type_map if name.startswith("__")}
    # The specified directives, and the incremental delivery ones a client sends (`@defer`,
    # `@stream`: docs/ecosystem.md): no schema directive of federation's.
    incremental = {"defer", "stream"}
    assert {d.name for d in client.directives} == {d.name for d in specified_directives} | (
        incremental
    )
    for word in ("@link", "@key", "@cost", "@listSize", "_Any", "_Entity"):
        assert word not in COMMITTED.read_text()


def test_the_client_schema_keeps_every_client_type_field_and_description() -> None:
    served = schema._schema
    client = _committed()
    for name, type_ in served.type_map.items():
        if name.startswith("_") or name.startswith("link__"):
            continue
        assert name in client.type_map, name
        kept = client.type_map[name]
        assert kept.description == type_.description, name
        if isinstance(type_, GraphQLObjectType):
            assert isinstance(kept, GraphQLObjectType)
            fields = set(type_.fields) - {"_service", "_entities"}
            assert set(kept.fields) == fields, name
            for field in fields:
                assert kept.fields[field].description == type_.fields[field].description


def test_the_exact_scalars_say_where_their_format_is_specified() -> None:
    client = _committed()
    urls = {}
    for name in ("Decimal", "BigInt", "DateTime"):
        scalar = client.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        urls[name] = scalar.specified_by_url
    assert urls == {
        "Decimal": "https://www.rfc-editor.org/rfc/rfc8259#section-6",
        "BigInt": "https://www.rfc-editor.org/rfc/rfc8259#section-6",
        "DateTime": "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
    }
