"""How long the lists of an introspection answer are, from the schema itself.

Introspection is costed like any other selection: `__schema { types { fields { ... } } }` is
as many objects as the schema has types and fields, and 250 aliased dumps of it are 250 times
that. A list of `__schema` is as long as the schema's; a list of one `__Type`, `__Field` or
`__Directive` counts the schema-wide average per parent (rounded up), which is exact for a whole
dump, as GraphiQL asks for it, and close for one type.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

__all__ = ["introspection_sizes"]


def _average(items: int, parents: int) -> int:
    return math.ceil(items / parents) if parents else 0


@functools.lru_cache(maxsize=8)
def introspection_sizes(schema: GraphQLSchema) -> Mapping[tuple[str, str], int]:
    """(introspection type, list field) -> how many items one parent's list holds."""
    types = list(schema.type_map.values())
    fields = [
        field
        for named in types
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
        for field in named.fields.values()
    ]
    possible = sum(
        len(schema.get_possible_types(named))
        for named in types
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType)
    )
    interfaces = sum(
        len(named.interfaces)
        for named in types
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    )
    enum_values = sum(len(named.values) for named in types if isinstance(named, GraphQLEnumType))
    input_fields = sum(
        len(named.fields) for named in types if isinstance(named, GraphQLInputObjectType)
    )
    directives = schema.directives
    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(directives),
        ("__Type", "fields"): _average(len(fields), len(types)),
        ("__Type", "interfaces"): _average(interfaces, len(types)),
        ("__Type", "possibleTypes"): _average(possible, len(types)),
        ("__Type", "enumValues"): _average(enum_values, len(types)),
        ("__Type", "inputFields"): _average(input_fields, len(types)),
        ("__Field", "args"): _average(sum(len(f.args) for f in fields), len(fields)),
        ("__Directive", "args"): _average(sum(len(d.args) for d in directives), len(directives)),
    }
