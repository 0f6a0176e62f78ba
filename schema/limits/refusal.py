"""`QUERY_TOO_COMPLEX`: which figure is over which limit, in words a client can act on."""

from __future__ import annotations

import re

from graphql import GraphQLError

from resolvers.context import GraphOptions
from resolvers.errors import GraphError
from schema.limits.figures import QueryFigures

__all__ = ["QueryTooComplex", "document_refusal", "response_refusal", "too_many_tokens"]

_TOO_MANY_TOKENS = re.compile(r"Document contains more than (\d+) tokens")


class QueryTooComplex(GraphError):
    """The query is over one of the limits; the message names the limit and the figure."""

    code = "QUERY_TOO_COMPLEX"


def too_many_tokens(error: GraphQLError) -> QueryTooComplex | None:
    """The refusal a parse aborted by `max_tokens` stands for (None for other syntax errors)."""
    match = _TOO_MANY_TOKENS.search(error.message)
    if match is None:
        return None
    limit = int(match.group(1))
    return QueryTooComplex(
        f"the query has more than {limit} tokens, over the limit MAX_QUERY_TOKENS={limit}"
    )


def _first_over(checks: tuple[tuple[str, int, str, int], ...]) -> QueryTooComplex | None:
    for what, figure, setting, limit in checks:
        if figure > limit:
            return QueryTooComplex(
                f"the query's {what} is {figure}, over the limit {setting}={limit}"
            )
    return None


def document_refusal(options: GraphOptions, figures: QueryFigures) -> QueryTooComplex | None:
    """What is refused before validation: the document is too large once expanded, or would
    make validation compare too many pairs of fields."""
    return _first_over(
        (
            (
                "number of field selections (fragments expanded)",
                figures.selections,
                "MAX_QUERY_SELECTIONS",
                options.max_query_selections,
            ),
            (
                "weight of field pairs at one response path (what validation compares)",
                figures.overlaps,
                "MAX_QUERY_OVERLAPS",
                options.max_query_overlaps,
            ),
        )
    )


def response_refusal(options: GraphOptions, figures: QueryFigures) -> QueryTooComplex | None:
    """What is refused after validation, before execution: depth, aliases, and what the
    response and its upstream calls are estimated at."""
    return _first_over(
        (
            ("depth", figures.depth, "MAX_QUERY_DEPTH", options.max_query_depth),
            ("aliases", figures.aliases, "MAX_QUERY_ALIASES", options.max_query_aliases),
            ("estimated cost", figures.cost, "MAX_QUERY_COST", options.max_query_cost),
            (
                "estimated number of response fields",
                figures.fields,
                "MAX_RESPONSE_FIELDS",
                options.max_response_fields,
            ),
            (
                "estimated number of upstream calls",
                figures.upstream_calls,
                "MAX_UPSTREAM_CALLS",
                options.max_upstream_calls,
            ),
        )
    )
