"""`QueryLimits`: the limits checked between parsing and execution, in the request's options."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from resolvers.context import RequestContext
from schema.limits.figures import QueryFigures
from schema.limits.measure import measure
from schema.limits.refusal import QueryTooComplex, document_refusal, response_refusal

__all__ = ["QueryLimits"]


def _refused(refusal: QueryTooComplex) -> list[GraphQLError]:
    return [GraphQLError(refusal.message, original_error=refusal)]


class QueryLimits(SchemaExtension):
    """Refuses, before execution, an operation over the limits of the request's options.

    Right after parsing, the document is measured (one linear pass) and refused if it is too
    large once its fragments are expanded, or would make validation compare too many fields:
    validation itself is quadratic in such documents, so it must not run on them
    (`CachedDocuments` then skips it too). After validation (cached or not,
    `schema/caching.py`; a document not validated yet is validated here), the operation is
    refused if its depth, aliases or estimates are over their limits; otherwise its estimated
    upstream calls are put on the request context's budget for the upstream layer.
    """

    _figures: QueryFigures | None = None

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, RequestContext):
            self.execution_context.parse_options["max_tokens"] = context.options.max_query_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if not isinstance(context, RequestContext) or document is None:
            return
        if execution.pre_execution_errors:
            return
        try:
            self._figures = measure(
                execution.schema._schema,
                document,
                execution.operation_name,
                execution.variables,
                context.options,
            )
        except QueryTooComplex as refusal:
            execution.pre_execution_errors = _refused(refusal)
            return
        too_large = document_refusal(context.options, self._figures) if self._figures else None
        if too_large is not None:
            execution.pre_execution_errors = _refused(too_large)

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        document = execution.graphql_document
        if isinstance(context, RequestContext) and document is not None:
            if execution.pre_execution_errors is None:
                execution.pre_execution_errors = validate_document(
                    execution.schema._schema, document, execution.validation_rules
                )
            figures = self._figures
            if not execution.pre_execution_errors and figures is not None:
                refusal = response_refusal(context.options, figures)
                if refusal is not None:
                    execution.pre_execution_errors = _refused(refusal)
                else:
                    context.upstream_calls.estimated = figures.upstream_calls
        yield
