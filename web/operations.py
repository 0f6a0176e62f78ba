"""A document of several operations must say which to run: `operationName`, or a 400.

The GraphQL spec's GetOperation fails when a document has more than one operation and no name is
given; Strawberry instead runs the first one. Counting the operations needs the parsed document,
so a cheap scan of the text first decides whether a second operation is possible at all: a
second operation starts with `query`, `mutation` or `subscription`, or with `{` right after the
`}` that ends the definition before it. Only a text where the scan finds one is parsed here (at
most `max_tokens` tokens, as the schema would); a text that does not parse is left to the
schema, which reports its syntax error.
"""

from __future__ import annotations

import re

from graphql import GraphQLError, OperationDefinitionNode, parse

from web.echo import clip
from web.refusal import RequestRefusal

__all__ = ["several_operations_refusal"]

# Possessive quantifiers: a long comment or run of blanks is crossed once, never split in many
# ways (a 30-character comment of `#` took seconds with plain ones).
_LEADING_BRACE = re.compile(r"\A(?:[\s,\ufeff]++|#[^\n\r]*+)*+\{")
_BRACE_AFTER_BRACE = re.compile(r"\}(?:[\s,\ufeff]++|#[^\n\r]*+)*+\{")
_KEYWORDS = ("query", "mutation", "subscription")


def _maybe_several(query: str) -> bool:
    # An upper bound (`queryType` counts too): a false alarm only costs a parse.
    starts = sum(query.count(keyword) for keyword in _KEYWORDS)
    starts += bool(_LEADING_BRACE.match(query))
    return starts >= 2 or _BRACE_AFTER_BRACE.search(query) is not None


def several_operations_refusal(
    query: str | None, operation_name: str | None, max_tokens: int
) -> RequestRefusal | None:
    """A 400 when `query` holds several operations and `operation_name` is not given."""
    if operation_name is not None or not query or not _maybe_several(query):
        return None
    try:
        document = parse(query, no_location=True, max_tokens=max_tokens)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) < 2:
        return None
    names = ", ".join(clip(op.name.value, 40) if op.name else "(anonymous)" for op in operations)
    return RequestRefusal(
        400,
        clip(
            f"the document has {len(operations)} operations ({names}) and no operationName: "
            "say which one to run",
            300,
        ),
        code="BAD_REQUEST",
    )
