"""Which parts of the graph's own schema the plans compile: a holdings page (the value the
`holdings` resolver returns) is one pure subtree, compiled whole, its new fields included
(`complete`, the nodes' `Asset.nameHex`); the account above it is not (its `holdings` field has
a resolver and arguments), so graphql-core calls that resolver and hands the page's completer
its value. A page that reads its `errors` is completed by graphql-core (that field has a
resolver: it tells the request the failures it lists need no GraphQL error), and the value of
each of its fields, the `SourceError`s included, is compiled."""

from __future__ import annotations

from graphql import GraphQLObjectType, OperationDefinitionNode, parse
from graphql.execution.collect_fields import (
    FieldDetailsList,
    GroupedFieldSet,
    collect_fields,
    collect_subfields,
)

from schema import schema
from schema.execution.codegen import compile_shape
from schema.execution.shapes import ListOf, NonNull, Object, Shape, read

GRAPHQL = schema._schema
PAGE = """query {
  account(source: ALGORAND, address: "x") {
    holdings(first: 1) {
      complete
      ERRORS
      nodes { id amount rawAmount asset { kind symbol name nameHex caip19 fingerprint } }
      edges { cursor node { id } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
}"""


def _type(name: str) -> GraphQLObjectType:
    found = GRAPHQL.type_map[name]
    assert isinstance(found, GraphQLObjectType)
    return found


def _shape(type_name: str, key: str, fields: FieldDetailsList, collect: object) -> Shape | None:
    parent = _type(type_name)
    return read(
        GRAPHQL,
        parent.fields[key].type,
        fields,
        collect,  # type: ignore[arg-type]
        default_resolver=getattr,
        max_fields=4000,
    )


def _object(shape: Shape | None) -> Object:
    while isinstance(shape, NonNull | ListOf):
        shape = shape.inner if isinstance(shape, NonNull) else shape.item
    assert isinstance(shape, Object), shape
    return shape


_ERRORS = "errors { source code message retryAfterSeconds provider account { source address } }"


def test_a_holdings_page_is_compiled_but_for_its_resolvers() -> None:
    _page_shapes(PAGE.replace("ERRORS", ""), whole=True)
    # `errors` has a resolver, so graphql-core completes the page; its value is compiled.
    shapes = _page_shapes(PAGE.replace("ERRORS", _ERRORS), whole=False)
    assert [f.key for f in _object(shapes["errors"]).fields] == [
        "source",
        "code",
        "message",
        "retryAfterSeconds",
        "provider",
        "account",
    ]


def _page_shapes(text: str, *, whole: bool) -> dict[str, Shape | None]:
    operation = parse(text).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)

    def collect(type_: GraphQLObjectType, fields: FieldDetailsList) -> GroupedFieldSet:
        return collect_subfields(GRAPHQL, {}, {}, operation, type_, fields).grouped_field_set

    root = collect_fields(GRAPHQL, {}, {}, _type("Query"), operation).grouped_field_set
    account = root["account"]
    holdings = collect(_type("Account"), account)["holdings"]
    # The account holds a field with a resolver: graphql-core's to complete.
    assert _shape("Query", "account", account, collect) is None
    whole_page = _shape("Account", "holdings", holdings, collect)
    if whole:
        assert whole_page is not None and _object(whole_page).name == "AssetHoldingConnection"
        assert compile_shape(whole_page, "holdings") is not None
    else:
        assert whole_page is None
    page = collect(_type("AssetHoldingConnection"), holdings)
    shapes = {
        key: _shape("AssetHoldingConnection", key, group, collect) for key, group in page.items()
    }
    asset = next(f for f in _object(shapes["nodes"]).fields if f.key == "asset")
    assert "nameHex" in [f.key for f in _object(asset.shape).fields]
    for key, shape in shapes.items():
        assert shape is not None, key
        assert compile_shape(shape, key) is not None, key
    return shapes
