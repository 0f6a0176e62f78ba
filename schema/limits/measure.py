"""The figures of the operation a request runs, from its document and variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
)

from resolvers.context import GraphOptions
from schema.limits.figures import QueryFigures
from schema.limits.overlaps import count_overlaps
from schema.limits.refusal import QueryTooComplex
from schema.limits.walk import Walk

__all__ = ["measure"]


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    options: GraphOptions,
) -> QueryFigures | None:
    """The figures of the operation to run (None if the document has none).

    The document need not be validated. Without an operation name, a document of several
    operations is measured whole (each figure the largest of any operation), so no operation
    of it escapes. A `first` above MAX_PAGE_SIZE or a `refs`/`ids` list above MAX_IDS counts
    as the maximum: the resolver refuses it as `BAD_USER_INPUT` (naming the value), which says
    more than a cost would. Fragments nested deeper than Python can follow are refused.
    """
    operations = _operations(document, operation_name)
    if not operations:
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = Walk(schema, fragments, dict(variables or {}), options)
    figures: list[QueryFigures] = []
    try:
        for operation in operations:
            root = schema.get_root_type(operation.operation)
            if root is None:
                continue
            measured = walk.root(root, operation.selection_set)
            overlaps = 0
            if measured.selections <= options.max_query_selections:
                # Bounded by the expanded selections: counted only when they are within limit.
                overlaps = count_overlaps(
                    [operation.selection_set], fragments, options.max_query_overlaps
                )
            figures.append(
                QueryFigures(
                    depth=measured.depth,
                    aliases=measured.aliases,
                    cost=measured.cost,
                    selections=measured.selections,
                    fields=measured.fields,
                    upstream_calls=measured.calls,
                    overlaps=overlaps,
                )
            )
    except RecursionError:
        raise QueryTooComplex(
            "the query's fragments nest more deeply than the server measures; inline some of them"
        ) from None
    if not figures:
        return None
    return QueryFigures(
        **{name: max(getattr(f, name) for f in figures) for name in QueryFigures.__slots__}
    )


def _operations(
    document: DocumentNode, operation_name: str | None
) -> list[OperationDefinitionNode]:
    operation = get_operation_ast(document, operation_name)
    if operation is not None:
        return [operation]
    if operation_name is not None:
        return []
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
