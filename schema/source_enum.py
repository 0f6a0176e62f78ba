"""The schema's `Source` enum: the values of the sources the app's registry serves.

The enum is declared once for the types that use it (`Account.source`, `AccountRef.source`,
...), with a stand-in value, and every schema built gets its values from its own registry
(`serve_sources`): the four of the contract for the server (`schema.graphql`), five for a
test's app with a fifth source. Its values are the registry's `Source` objects themselves, so
resolvers receive and return `sources.Source` and nothing in between maps names.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

import strawberry
from graphql import GraphQLEnumValue, GraphQLSchema
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from resolvers.sources import SourceRegistry
from sources import Source as SourceName

__all__ = ["Source", "serve_sources"]

_DESCRIPTION = "An upstream the graph reads holdings from."


class _Served(Enum):
    """Stands in for the registry's values until `serve_sources` puts them in."""

    SERVED_SOURCES = "SERVED_SOURCES"


if TYPE_CHECKING:
    Source = SourceName
else:
    Source = strawberry.enum(_Served, name="Source", description=_DESCRIPTION)


def serve_sources(schema: GraphQLSchema, sources: SourceRegistry) -> None:
    """Give `schema`'s `Source` enum the values of `sources`, in their order, with their
    descriptions (before the schema answers anything: graphql-core reads the values lazily)."""
    enum_type = schema.get_type("Source")
    if not isinstance(enum_type, CustomGraphQLEnumType):
        raise TypeError("the schema has no Source enum of Strawberry's")
    enum_type.values = {
        definition.source.value: GraphQLEnumValue(
            definition.source, description=definition.description
        )
        for definition in sources
    }
    enum_type.__dict__.pop("_value_lookup", None)
    # A value read from a request becomes the `Source` of that name (the value itself).
    enum_type.wrapped_cls = SourceName  # type: ignore[assignment]
