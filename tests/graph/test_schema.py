"""The schema is a committed, described artifact that keeps the public contract."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_ast_schema,
    parse,
)

from schema import schema

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "tests" / "contract" / "schema-contract.graphql"
FEDERATION = {
    "_Any",
    "_Entity",
    "_Service",
    "_FieldSet",
    "FieldSet",
    "link__Import",
    "link__Purpose",
}


def _kind(type_: object) -> str:
    for kind in (
        GraphQLEnumType,
        GraphQLInputObjectType,
        GraphQLInterfaceType,
        GraphQLObjectType,
        GraphQLScalarType,
        GraphQLUnionType,
    ):
        if isinstance(type_, kind):
            return kind.__name__
    return type(type_).__name__


def _served() -> GraphQLSchema:
    return schema._schema


def test_schema_graphql_is_what_the_code_builds() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == schema.as_str() + "\n", "re-export: python server.py export-schema"


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing = []
    for name, type_ in _served().type_map.items():
        if (
            name.startswith("__")
            or name in FEDERATION
            or name in {"String", "Int", "Boolean", "ID", "Float"}
        ):
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if field_name.startswith("_"):
                    continue
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType):
            missing.extend(
                f"{name}.{value_name}"
                for value_name, value in type_.values.items()
                if not value.description
            )
    assert missing == []


def test_the_served_schema_keeps_every_name_and_type_of_the_contract() -> None:
    contract = build_ast_schema(parse(CONTRACT.read_text()), assume_valid_sdl=True)
    served = _served()
    problems = []
    for name, wanted in contract.type_map.items():
        if name.startswith("__"):
            continue
        have = served.type_map.get(name)
        if have is None or _kind(have) != _kind(wanted):
            problems.append(f"type {name} missing or of another kind")
            continue
        if isinstance(wanted, GraphQLEnumType):
            assert isinstance(have, GraphQLEnumType)
            if set(wanted.values) - set(have.values):
                problems.append(f"enum {name} lacks {set(wanted.values) - set(have.values)}")
        if isinstance(wanted, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            assert isinstance(
                have, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
            )
            for field_name, field in wanted.fields.items():
                got = have.fields.get(field_name)
                if got is None or str(got.type) != str(field.type):
                    problems.append(
                        f"{name}.{field_name}: want {field.type}, have {got and got.type}"
                    )
                    continue
                for arg_name, arg in getattr(field, "args", {}).items():
                    got_arg = got.args.get(arg_name)  # type: ignore[union-attr]
                    if got_arg is None or str(got_arg.type) != str(arg.type):
                        problems.append(f"{name}.{field_name}({arg_name}): want {arg.type}")
        if isinstance(wanted, GraphQLObjectType):
            assert isinstance(have, GraphQLObjectType)
            wanted_interfaces = {i.name for i in wanted.interfaces}
            if wanted_interfaces - {i.name for i in have.interfaces}:
                problems.append(f"{name} does not implement {wanted_interfaces}")
    assert problems == []


def test_connections_follow_the_relay_cursor_connection_shape() -> None:
    served = _served()
    for name in ("AssetHoldingConnection", "PositionConnection", "ProviderConnection"):
        connection = served.type_map[name]
        assert isinstance(connection, GraphQLObjectType)
        assert str(connection.fields["edges"].type).startswith("[")
        assert str(connection.fields["pageInfo"].type) == "PageInfo!"
        assert str(connection.fields["totalCount"].type) == "Int"
        edge = served.type_map[name.replace("Connection", "Edge")]
        assert isinstance(edge, GraphQLObjectType)
        assert str(edge.fields["cursor"].type) == "String!"
    page_info = served.type_map["PageInfo"]
    assert isinstance(page_info, GraphQLObjectType)
    assert {str(f.type) for f in page_info.fields.values()} == {"Boolean!", "String"}


def test_account_is_a_federation_entity_with_both_keys() -> None:
    sdl = schema.as_str()
    assert '@key(fields: "id") @key(fields: "source address")' in sdl
    for entity in ("AssetHolding", "Asset", "Provider"):
        assert f'type {entity} implements Node @key(fields: "id")' in sdl
