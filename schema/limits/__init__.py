"""Hostile-query limits, checked before execution: a refused query costs no upstream call.

A query that passes validation can still ask for far more than any screen needs (a hundred
aliases of `accounts(refs:)` with `holdings(first: 100)` under each), and a small document can
stand for a huge one (fragments that each spread the next twice). Every limit is checked per
request, between parsing and execution, in time linear in the document; each refusal is
`QUERY_TOO_COMPLEX` with a message naming the limit (its setting) and the query's figure.

    tokens      lexical tokens of the text (graphql-core's `parse(max_tokens=)`):
                MAX_QUERY_TOKENS
    selections  field selections with every fragment spread expanded (a fragment spread twice
                counts twice): MAX_QUERY_SELECTIONS; checked before validation
    overlaps    pairs of fields at one response path, which validation compares (a pair with
                selections weighs 16): MAX_QUERY_OVERLAPS; checked before validation
    depth       the longest chain of fields, the leaf included (`{ a { b } }` is 2), fragments
                expanded; introspection (`__schema`, `__type`) is exempt, so GraphiQL's
                introspection query passes: MAX_QUERY_DEPTH
    aliases     aliased fields, fragments expanded: MAX_QUERY_ALIASES
    cost        the objects the operation may return, and a tenth of its leaf fields (rounded
                down per object), each scaled by the lists above it (`walk.py`): MAX_QUERY_COST
    fields      the fields the response may hold, likewise scaled: MAX_RESPONSE_FIELDS
    calls       the upstream requests the operation may make (`upstream.py`):
                MAX_UPSTREAM_CALLS; the estimate is left on the request context
                (`RequestContext.upstream_calls`) for the upstream layer to hold calls to

`_entities(representations:)` counts every representation (its resolver refuses more than
MAX_IDS); `refs` and `ids` over MAX_IDS count as MAX_IDS (their resolvers refuse them, naming
the count). Variables are read from the request.
"""

from schema.limits.extension import QueryLimits
from schema.limits.figures import QueryFigures
from schema.limits.measure import measure
from schema.limits.refusal import QueryTooComplex, too_many_tokens

__all__ = [
    "QueryFigures",
    "QueryLimits",
    "QueryTooComplex",
    "measure",
    "too_many_tokens",
]
