"""Which fields of the schema a set of cases selects: the differential test must reach them all.

A field counts as reached when some case's document selects it on its type, directly or through
an interface or a fragment (`graphql.TypeInfo` resolves each selection's parent type), whatever
the case's variables make of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    is_introspection_type,
    parse,
    visit,
)

from tests.differential.runner import Case

__all__ = ["reachable_fields", "selected_fields"]


def reachable_fields(schema: GraphQLSchema) -> set[tuple[str, str]]:
    """(type, field) of every field of an object or interface type a query can reach."""
    found: set[tuple[str, str]] = set()
    seen: set[str] = set()
    root = schema.query_type
    assert root is not None
    pending: list[GraphQLNamedType] = [root]
    while pending:
        type_ = pending.pop()
        if type_.name in seen or is_introspection_type(type_):
            continue
        seen.add(type_.name)
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            pending.extend(schema.get_possible_types(type_))
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for name, field in type_.fields.items():
                found.add((type_.name, name))
                pending.append(get_named_type(field.type))
    return found


class _Selected(Visitor):
    def __init__(self, type_info: TypeInfo, into: set[tuple[str, str]]) -> None:
        super().__init__()
        self._type_info = type_info
        self._into = into

    def enter_field(self, node: FieldNode, *_: object) -> None:
        parent = self._type_info.get_parent_type()
        if parent is not None and self._type_info.get_field_def() is not None:
            self._into.add((parent.name, node.name.value))


def selected_fields(schema: GraphQLSchema, cases: Iterable[Case]) -> set[tuple[str, str]]:
    """(type, field) of every field the cases' documents select."""
    selected: set[tuple[str, str]] = set()
    for case in cases:
        try:
            document = parse(case.query)
        except GraphQLError:
            continue
        type_info = TypeInfo(schema)
        visit(document, TypeInfoVisitor(type_info, _Selected(type_info, selected)))
    return selected
