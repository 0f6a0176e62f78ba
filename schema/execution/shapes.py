"""The shape of a value a plan can complete without graphql-core: a *pure* subtree.

A subtree is pure when nothing in it needs graphql-core's per-field machinery: every field is
`__typename` or a Strawberry field without a resolver (Strawberry itself reads those with
`getattr(source, python_name)` and no `info`), has no arguments and no directive but `@skip`/
`@include`, and every type is a leaf, a list or an object type (no interface or union: those
resolve their runtime type through `info`). Fields are collected with graphql-core's own
`collect_subfields`, so aliases, fragments, type conditions and `@skip`/`@include` group
exactly as graphql-core groups them for the same variables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    TypeNameMetaFieldDef,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.type.scalars import serialize_boolean, serialize_id, serialize_int, serialize_string
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from schema.served import is_pure_type_test

__all__ = [
    "Collect",
    "Field",
    "Leaf",
    "LeafKind",
    "ListOf",
    "NonNull",
    "Object",
    "Shape",
    "plain_group",
    "read",
]

Collect = Callable[[GraphQLObjectType, FieldDetailsList], GroupedFieldSet]
"""The sub-fields of an object type under a group of field nodes (graphql-core's grouping)."""

_CONDITIONS = frozenset({"skip", "include"})
_BASIC_RESOLVER = "_get_basic_result"
"""The name of the resolver Strawberry gives a field it reads with `getattr` alone."""
_GENERATED_IS_TYPE_OF = "_get_is_type_of.<locals>.is_type_of"
"""Strawberry's own `is_type_of` (an `isinstance` check that never reads its `info`)."""


class LeafKind(Enum):
    """How a leaf is coerced: builtin scalars by an exact class test, others by the type."""

    STRING = "str"
    BOOLEAN = "bool"
    INT = "int"
    COERCED = "coerced"


@dataclass(frozen=True, slots=True)
class Leaf:
    kind: LeafKind
    coerce: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class NonNull:
    inner: Shape


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Shape


@dataclass(frozen=True, slots=True)
class Field:
    """One response key: read `attribute` (or answer `typename`), then complete `shape`."""

    key: str
    attribute: str | None
    typename: str | None
    shape: Shape | None


@dataclass(frozen=True, slots=True)
class Object:
    name: str
    is_type_of: Callable[[Any, Any], Any] | None
    fields: tuple[Field, ...]


Shape = Leaf | NonNull | ListOf | Object

_UNKNOWN = Field("", None, None, None)
"""A field the type does not have (validation refuses it; graphql-core would skip it)."""

_BUILTIN: dict[Callable[[Any], Any], LeafKind] = {
    serialize_string: LeafKind.STRING,
    serialize_id: LeafKind.STRING,
    serialize_boolean: LeafKind.BOOLEAN,
    serialize_int: LeafKind.INT,
}
"""graphql-core's own coercions, which pass exactly one class through unchanged."""


def _leaf(type_: GraphQLLeafType) -> Leaf:
    coerce: Callable[[Any], Any] = type_.coerce_output_value
    return Leaf(_BUILTIN.get(coerce, LeafKind.COERCED), coerce)


def _basic_attribute(field: GraphQLField, default_resolver: object) -> str | None:
    """The attribute Strawberry reads for `field`, if it reads one and does nothing else."""
    if getattr(field.resolve, "__name__", None) != _BASIC_RESOLVER:
        return None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
        return None
    if default_resolver is not getattr:
        return None
    return definition.python_name


class _Reader:
    def __init__(
        self, schema: GraphQLSchema, collect: Collect, default_resolver: object, budget: int
    ) -> None:
        self._schema = schema
        self._collect = collect
        self._default_resolver = default_resolver
        self._budget = budget

    def shape(self, type_: GraphQLOutputType, fields: FieldDetailsList) -> Shape | None:
        if isinstance(type_, GraphQLNonNull):
            inner = self.shape(type_.of_type, fields)
            return NonNull(inner) if inner is not None else None
        if isinstance(type_, GraphQLList):
            item = self.shape(type_.of_type, fields)
            return ListOf(item) if item is not None else None
        if is_leaf_type(type_):
            return _leaf(type_)
        if isinstance(type_, GraphQLObjectType):
            return self._object(type_, fields)
        return None  # an interface or a union

    def _object(self, type_: GraphQLObjectType, fields: FieldDetailsList) -> Object | None:
        is_type_of = type_.is_type_of
        if (
            is_type_of is not None
            and not getattr(is_type_of, "__qualname__", "").endswith(_GENERATED_IS_TYPE_OF)
            and not is_pure_type_test(is_type_of)
        ):
            return None
        entries: list[Field] = []
        for key, group in self._collect(type_, fields).items():
            entry = self._field(type_, key, group)
            if entry is None:
                return None
            if entry is not _UNKNOWN:  # graphql-core leaves a field it does not know out
                entries.append(entry)
        return Object(type_.name, is_type_of, tuple(entries))

    def _field(self, parent: GraphQLObjectType, key: str, group: FieldDetailsList) -> Field | None:
        self._budget -= 1
        if self._budget < 0 or not plain_group(group):
            return None
        node = group[0].node
        definition = self._schema.get_field(parent, node.name.value)
        if definition is None:
            return _UNKNOWN
        if definition is TypeNameMetaFieldDef:
            return Field(key, None, parent.name, None)
        if definition.args or node.arguments:
            return None
        attribute = _basic_attribute(definition, self._default_resolver)
        if attribute is None:
            return None
        shape = self.shape(definition.type, group)
        return Field(key, attribute, None, shape) if shape is not None else None


def plain_group(group: FieldDetailsList) -> bool:
    """Whether the field nodes of one response key are neither deferred nor streamed, nor
    carry any directive but `@skip`/`@include` (nor fragment variables)."""
    for details in group:
        if details.defer_usage is not None or details.fragment_variable_values is not None:
            return False
        if any(d.name.value not in _CONDITIONS for d in details.node.directives or ()):
            return False
    return True


def read(
    schema: GraphQLSchema,
    type_: GraphQLOutputType,
    fields: FieldDetailsList,
    collect: Collect,
    *,
    default_resolver: object,
    max_fields: int,
) -> Shape | None:
    """The shape of values of `type_` under `fields`, or None when the subtree is not pure (or
    has more than `max_fields` fields). The fields' own nodes count too: a list under `@stream`
    is graphql-core's to complete (it checks the stream's arguments, and may deliver it later)."""
    if not plain_group(fields):
        return None
    return _Reader(schema, collect, default_resolver, max_fields).shape(type_, fields)
