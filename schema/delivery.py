"""Whether `@defer` and `@stream` take effect: only when the response goes out in parts.

With incremental execution on (`StrawberryConfig(enable_experimental_incremental_execution=
True)`), Strawberry runs every operation on graphql-core's `IncrementalExecutor`, which answers
a deferred document with an initial result and a stream of later ones. That is right for a
response sent as `multipart/mixed` (`web/incremental.py` marks the request's context
`deliver_incrementally`), and wrong for every other: a client that asked for one JSON body, an
operation of a batch. For those the executor takes graphql-core's base `Executor` behaviour,
which executes deferred fragments and streamed lists inline: one complete result, exactly as
without the directives (they are hints the server may decline).

Deferred work starts at once (graphql-core's `enable_early_execution`): a slow source behind a
deferred fragment is asked while the initial result is still being built, so the deferred part
comes as soon as that source answers, not only after the initial part went out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLResolveInfo
from graphql.execution import Executor
from graphql.execution.collect_fields import DeferUsage, GroupedFieldSet
from graphql.execution.executor import StreamUsage
from graphql.execution.incremental.incremental_executor import DeliveryGroupMap
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from resolvers.context import RequestContext

__all__ = ["DeliveryExecutor"]


class DeliveryExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor; incremental only for a request delivered in parts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        context = self.context_value
        self.in_parts = isinstance(context, RequestContext) and context.deliver_incrementally
        self.enable_early_execution = True

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self.in_parts:
            return super().execute_collected_root_fields(
                root_type, root_value, grouped_field_set, serially, new_defer_usages
            )
        return Executor.execute_collected_root_fields(
            self, root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    def execute_collected_subfields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path,
        grouped_field_set: GroupedFieldSet,
        new_defer_usages: Sequence[DeferUsage],
        delivery_group_map: DeliveryGroupMap | None,
    ) -> AwaitableOrValue[dict[str, Any]]:
        if self.in_parts:
            return super().execute_collected_subfields(
                parent_type,
                source_value,
                path,
                grouped_field_set,
                new_defer_usages,
                delivery_group_map,
            )
        return Executor.execute_collected_subfields(
            self, parent_type, source_value, path, grouped_field_set, new_defer_usages, None
        )

    def handle_stream(
        self,
        index: int,
        path: Path,
        iterator: Iterator[Any] | Any,
        is_async: bool,
        stream_usage: StreamUsage,
        info: GraphQLResolveInfo[Any],
        item_type: GraphQLOutputType,
    ) -> bool:
        if self.in_parts:
            return super().handle_stream(
                index, path, iterator, is_async, stream_usage, info, item_type
            )
        return False  # the base executor's answer: the list is completed in place
