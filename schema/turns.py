"""Long lists completed in turns: an execution gives the event loop back while it completes one.

graphql-core completes a list of plain values in one synchronous loop. A subscription event of
the whale (2,500 holdings, every field asked) is seconds of CPU on a loaded machine, and for
all that time the event loop served nobody else: no query, no `/metrics`, no other
subscriber's event, no reading of any feed. A connection with eight such subscriptions held it
for close to a minute. So a list of more than `LONG_LIST` items is completed in a coroutine
that yields to the loop whenever it has held it for `TURN_SECONDS`, and the operations of one
caller that share a `turns` lock (a WebSocket connection's) complete their long lists one at a
time: a connection with eight subscriptions takes one share of the loop, not eight.

Each item is completed by graphql-core itself (`complete_list_item_value`, with the same paths,
errors and null propagation); only when the work happens changes. The lock is held only while
items are completed, never while awaiting their pending values (a long list inside a long list
takes the lock after its parent let it go). A response delivered in parts (`@stream`) keeps
graphql-core's incremental completion; a pure subtree on a compiled plan
(`schema/execution/executor.py`) is completed by its plan, as queries' pages are bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Iterable, Sequence
from inspect import iscoroutine
from typing import Any

from graphql import GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path, gather_with_cancel

from schema.delivery import DeliveryExecutor

__all__ = ["LONG_LIST", "TURN_SECONDS", "TakingTurns"]

LONG_LIST = 100
"""A list with more items than this (a query's largest page) is completed in turns."""
TURN_SECONDS = 0.02
"""How long one execution holds the event loop before it lets others run."""
_CHECK_EVERY = 8  # items between two looks at the clock


class TakingTurns(DeliveryExecutor):
    """The schema's executor, completing long lists in turns."""

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        if self.in_parts or not isinstance(items, Sequence) or len(items) <= LONG_LIST:
            return super().complete_iterable_value(
                item_type, field_details_list, info, path, items, position_context
            )
        return self._in_turns(item_type, field_details_list, info, path, items, position_context)

    async def _in_turns(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        items: Sequence[Any],
        position_context: Any,
    ) -> list[Any]:
        # A `RequestContext`'s (any context's with a `turns` lock: the tests' own).
        turns = getattr(self.context_value, "turns", None)
        if not isinstance(turns, asyncio.Lock):
            turns = None
        completed: list[Any] = []
        pending: list[int] = []
        is_awaitable = self.is_awaitable
        async with turns if turns is not None else contextlib.nullcontext():
            began = time.perf_counter()
            try:
                for index, item in enumerate(items):
                    if index % _CHECK_EVERY == 0 and time.perf_counter() - began >= TURN_SECONDS:
                        await asyncio.sleep(0)
                        began = time.perf_counter()
                    item_path = path.add_key(index, None)
                    if is_awaitable(item):
                        completed.append(
                            self.complete_awaitable_list_item_value(
                                item,
                                item_type,
                                field_details_list,
                                info,
                                item_path,
                                position_context,
                            )
                        )
                        pending.append(index)
                    elif self.complete_list_item_value(
                        item,
                        completed,
                        item_type,
                        field_details_list,
                        info,
                        item_path,
                        position_context,
                    ):
                        pending.append(index)
            except Exception:
                # As graphql-core does: a bubbling error does not wait for the pending items,
                # but they are settled so that their errors are observed.
                if pending:
                    self.settle_in_background([completed[index] for index in pending])
                raise
            except BaseException:  # cancelled: nobody will await the pending items
                for index in pending:
                    awaitable: Awaitable[Any] = completed[index]
                    if iscoroutine(awaitable):
                        awaitable.close()
                raise
        if pending:
            values = await gather_with_cancel(*(completed[index] for index in pending))
            for index, value in zip(pending, values, strict=True):
                completed[index] = value
        return completed
