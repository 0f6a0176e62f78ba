"""Caches of parsed and validated documents, so a repeated query costs only its execution.

Strawberry's `ParserCache` raises a syntax error from inside its hook, which skips the rest of
the operation (and with it our error translation); this one caches successful parses only and
leaves a document that does not parse to Strawberry's own parse, whose error is handled
normally. Validation results are cached by Strawberry's `ValidationCache`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension, ValidationCache

__all__ = ["ParsedDocuments", "ValidationCache"]


@lru_cache(maxsize=256)
def _parse(query: str, **options: Any) -> DocumentNode:
    return parse(query, **options)


class ParsedDocuments(SchemaExtension):
    """Reuses the parse of a query text seen before (bounded LRU, shared by all requests)."""

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        if execution.query is not None and execution.graphql_document is None:
            # On a syntax error the document stays unset: Strawberry parses again and reports
            # the error the usual way.
            with suppress(GraphQLError):
                execution.graphql_document = _parse(execution.query, **execution.parse_options)
        yield
