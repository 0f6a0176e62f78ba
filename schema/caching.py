"""Caches of parsed and validated documents, so a repeated query costs only its execution.

Only short query texts are cached (real clients send the same few queries again and again; a
huge one-off document would otherwise stay in memory at many times its size), in bounded LRUs
shared by all requests. A text that does not parse is not cached and is left to Strawberry's
own parse, so its error is reported the usual way. (Strawberry's `ParserCache` raises from
inside its hook, which skips our error translation, and caches texts of any size.) Hits and
misses are counted in the app's metrics (`holdings_cache_hits_total{cache="parse"}`, and
`"validation"`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.context import RequestContext

__all__ = ["MAX_CACHED_QUERY_LENGTH", "CachedDocuments"]

#: Longest query text (characters) whose parse and validation are cached.
MAX_CACHED_QUERY_LENGTH = 4096
_ENTRIES = 128


@lru_cache(maxsize=_ENTRIES)
def _parse(query: str, **options: Any) -> DocumentNode:
    return parse(query, **options)


_Validated = tuple[DocumentNode, list[GraphQLError]]
_validated: OrderedDict[tuple[int, int, tuple[Any, ...]], _Validated] = OrderedDict()
"""Validation results by the identity of the schema and the (cached, so shared) document: a
document node hashes by its whole tree (a frozen dataclass), which cost more than the lookup
saved. The entry keeps its document, so no other document can take its identity."""


def _validate(
    schema: GraphQLSchema, document: DocumentNode, rules: tuple[Any, ...]
) -> tuple[list[GraphQLError], bool]:
    """The validation errors of `document`, and whether they came from the cache."""
    key = (id(schema), id(document), rules)
    found = _validated.get(key)
    if found is not None and found[0] is document:
        _validated.move_to_end(key)
        return found[1], True
    errors = validate_document(schema, document, rules)
    _validated[key] = (document, errors)
    while len(_validated) > _ENTRIES:
        _validated.popitem(last=False)
    return errors, False


class CachedDocuments(SchemaExtension):
    """Reuses the parse and the validation of a (short) query text seen before."""

    def _cacheable(self) -> bool:
        query = self.execution_context.query
        return query is not None and len(query) <= MAX_CACHED_QUERY_LENGTH

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if self._cacheable() and execution.graphql_document is None:
            # On a syntax error the document stays unset: Strawberry parses again and reports
            # the error the usual way.
            hits = _parse.cache_info().hits
            with suppress(GraphQLError):
                execution.graphql_document = _parse(
                    execution.query or "", **execution.parse_options
                )
            self._count("parse", _parse.cache_info().hits > hits)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        # A document QueryLimits refused after parsing is not validated (validation is
        # quadratic in some of them).
        refused = execution.pre_execution_errors is not None
        if self._cacheable() and execution.graphql_document is not None and not refused:
            execution.pre_execution_errors, hit = _validate(
                execution.schema._schema,
                execution.graphql_document,
                tuple(execution.validation_rules),
            )
            self._count("validation", hit)
        yield

    def _count(self, cache: str, hit: bool) -> None:
        context = self.execution_context.context
        if isinstance(context, RequestContext):
            context.services.metrics.cache(cache, hit)
