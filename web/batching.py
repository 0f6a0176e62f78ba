"""Operation batching: a POST body that is a JSON array of operations (Apollo's `BatchHttpLink`),
answered by a JSON array of their results, in order.

`BATCH_MAX_OPERATIONS` (default 10, `BatchHttpLink`'s own `batchMax`; 0 turns batching off)
bounds the operations of one batch; a batch that is empty, too long, or holds anything but
operation objects is 400 `BAD_REQUEST`, naming what is wrong. A batch is one request for every
limit, so it can ask no more of the graph than one request could:

    cost, aliases, tokens    summed over its operations, each sum against its limit
    depth                    its deepest operation, against MAX_QUERY_DEPTH
    (all checked before any operation runs: a batch over one answers every operation
    QUERY_TOO_COMPLEX and nothing is executed, nor read upstream)
    request deadline         one REQUEST_DEADLINE_SECONDS for the whole batch
    scan budget, loaders     shared by its operations (their upstream reads batch together)
    body                     MAX_REQUEST_BYTES for the whole body

Each operation keeps its own errors: it runs with a context of its own that shares the request's
caller, loaders and scan budget (`operation_contexts`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSchema, parse, validate
from graphql.language import Lexer, Source, TokenKind
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from resolvers.context import GraphOptions, RequestContext
from schema.limits import QueryFigures, QueryTooComplex, measure
from schema.limits.refusal import document_refusal

__all__ = ["BatchPolicy", "merge_contexts", "operation_contexts", "refused"]


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """How many operations one batch may hold (0: batching is off)."""

    max_operations: int

    def check(self, batch: Sequence[Any]) -> None:
        """Refuses (400) a batch this server does not run, before anything is read from it."""
        if self.max_operations == 0:
            raise HTTPException(
                400,
                "operation batching is off on this server (BATCH_MAX_OPERATIONS=0); send one "
                "operation per request",
            )
        if not batch:
            raise HTTPException(400, "an empty batch: send at least one operation")
        if len(batch) > self.max_operations:
            raise HTTPException(
                400,
                f"a batch of {len(batch)} operations is over the limit "
                f"BATCH_MAX_OPERATIONS={self.max_operations}",
            )
        for index, item in enumerate(batch):
            problem = _malformed(item)
            if problem is not None:
                raise HTTPException(400, f"batch[{index}]: {problem}")

    def over_limits(
        self, schema: GraphQLSchema, batch: Sequence[GraphQLRequestData], options: GraphOptions
    ) -> QueryTooComplex | None:
        """The refusal a batch over a limit as a whole gets (None when it is within them).

        Operations that do not lex, parse or validate are left out: they will fail on their own,
        with their own error, and read nothing.
        """
        tokens = depth = 0
        totals: dict[str, int] = dict.fromkeys(_SUMMED, 0)
        for request in batch:
            if not isinstance(request.query, str):
                continue
            counted = _tokens(request.query, options.max_query_tokens - tokens)
            if counted is None:
                continue
            tokens += counted
            figures = _figures(schema, request, options)
            if figures is not None:
                for name in _SUMMED:
                    totals[name] += getattr(figures, name)
                depth = max(depth, figures.depth)
        together = f"its {len(batch)} operations together"
        if tokens > options.max_query_tokens:  # counting stopped there
            return QueryTooComplex(
                f"the batch has more than {options.max_query_tokens} tokens ({together}), "
                f"over the limit MAX_QUERY_TOKENS={options.max_query_tokens}"
            )
        checks = (
            (
                "field selections",
                totals["selections"],
                "MAX_QUERY_SELECTIONS",
                options.max_query_selections,
            ),
            (
                "weight of field pairs",
                totals["overlaps"],
                "MAX_QUERY_OVERLAPS",
                options.max_query_overlaps,
            ),
            ("depth", depth, "MAX_QUERY_DEPTH", options.max_query_depth),
            ("aliases", totals["aliases"], "MAX_QUERY_ALIASES", options.max_query_aliases),
            ("estimated cost", totals["cost"], "MAX_QUERY_COST", options.max_query_cost),
            (
                "estimated number of response fields",
                totals["fields"],
                "MAX_RESPONSE_FIELDS",
                options.max_response_fields,
            ),
            (
                "estimated number of upstream calls",
                totals["upstream_calls"],
                "MAX_UPSTREAM_CALLS",
                options.max_upstream_calls,
            ),
        )
        for what, figure, setting, limit in checks:
            if figure > limit:
                return QueryTooComplex(
                    f"the batch's {what} is {figure} ({together}), over the limit {setting}={limit}"
                )
        return None


def _malformed(item: Any) -> str | None:
    if not isinstance(item, dict):
        return f"an operation is a JSON object, not {type(item).__name__}"
    expected = {
        "query": (str,),
        "variables": (dict,),
        "operationName": (str,),
        "extensions": (dict,),
    }
    for key, types in expected.items():
        value = item.get(key)
        if value is not None and not isinstance(value, types):
            return f"`{key}` must be {'a string' if types == (str,) else 'an object'} or null"
    return None


def _tokens(text: str, budget: int) -> int | None:
    """How many lexical tokens `text` has (counting stops past `budget`); None if it does not
    lex."""
    lexer = Lexer(Source(text))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > budget:
                break
    except GraphQLError:
        return None
    return count


_SUMMED = ("selections", "overlaps", "aliases", "cost", "fields", "upstream_calls")
"""The figures a batch adds up over its operations (its depth is its deepest operation's)."""


def _figures(
    schema: GraphQLSchema, request: GraphQLRequestData, options: GraphOptions
) -> QueryFigures | None:
    """One operation's figures; measured before validation, which is quadratic in the
    documents the selections and overlaps limits refuse, so it is only run on the others."""
    try:
        document = parse(request.query or "", max_tokens=options.max_query_tokens)
        figures = measure(schema, document, request.operation_name, request.variables, options)
    except (GraphQLError, QueryTooComplex):
        return None
    if figures is None or document_refusal(options, figures) is not None:
        return figures
    if validate(schema, document):
        return None
    return figures


def refused(code: str, message: str) -> ExecutionResult:
    """The result of an operation that did not run: one error with `code`, no data."""
    return ExecutionResult(data=None, errors=[GraphQLError(message, extensions={"code": code})])


def operation_contexts(request: RequestContext, count: int) -> list[RequestContext]:
    """A context for each of `count` operations of one request: the request's caller, loaders,
    scan budget (and, through `contextvars`, deadline), but each its own errors and flags."""
    return [
        dataclasses.replace(request, problems=[], personal=False, read_only=True)
        for _ in range(count)
    ]


def merge_contexts(request: RequestContext, operations: Sequence[RequestContext]) -> None:
    """What the response's headers need from the operations: personal if any read a user's
    data, read-only only if all were queries."""
    request.personal = request.personal or any(c.personal for c in operations)
    request.read_only = request.read_only and all(c.read_only for c in operations)
