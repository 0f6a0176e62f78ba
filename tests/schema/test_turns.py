"""Long lists completed in turns (`schema/turns.py`): the same data and errors as graphql-core
completes them in one go, the event loop given back meanwhile, and the executions that share a
lock taking turns, one after the other."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.types import ExecutionResult

from schema.delivery import DeliveryExecutor
from schema.turns import LONG_LIST, TakingTurns

ITEMS = 3 * LONG_LIST + 7


@dataclass
class Context:
    turns: asyncio.Lock | None = None
    #: (execution label, item index) in the order the items were completed.
    seen: list[tuple[str, int]] = field(default_factory=list)
    spin: float = 0.0


@strawberry.type
class Item:
    index: int
    label: str

    @strawberry.field
    def value(self, info: strawberry.Info[Context, None]) -> int | None:
        context = info.context
        context.seen.append((self.label, self.index))
        if context.spin:  # CPU the item costs, as a big event's holdings do
            until = time.perf_counter() + context.spin
            while time.perf_counter() < until:
                pass
        if self.index == 2 * LONG_LIST + 1:
            raise ValueError(f"item {self.index} failed")
        return self.index * 2

    @strawberry.field
    def strict(self) -> int:
        if self.index == LONG_LIST + 3:
            raise ValueError("a non-null field failed")
        return self.index


@strawberry.type
class Query:
    @strawberry.field
    def items(self, label: str = "a", count: int = ITEMS) -> list[Item]:
        return [Item(index=n, label=label) for n in range(count)]

    @strawberry.field
    def strict_items(self, count: int = ITEMS) -> list[Item] | None:
        return [Item(index=n, label="s") for n in range(count)]


def schema(executor: type[DeliveryExecutor]) -> strawberry.Schema:
    return strawberry.Schema(query=Query, execution_context_class=executor)


async def run(executor: type[DeliveryExecutor], query: str, context: Context) -> ExecutionResult:
    result: Any = await schema(executor).execute(query, context_value=context)
    assert isinstance(result, ExecutionResult)
    return result


async def test_a_long_list_gets_the_data_and_errors_graphql_core_gives() -> None:
    for query in (
        "{ items { index value } }",
        "{ strictItems { index strict } }",
        "{ short: items(count: 20) { value } items { label value } }",
    ):
        taken = await run(TakingTurns, query, Context())
        reference = await run(DeliveryExecutor, query, Context())
        assert taken.data == reference.data
        assert [(e.message, e.path) for e in taken.errors or ()] == [
            (e.message, e.path) for e in reference.errors or ()
        ]
        assert taken.errors  # every query meets one failing item
    failed = await run(TakingTurns, "{ items { value } }", Context())
    assert failed.errors and failed.errors[0].path == ["items", 2 * LONG_LIST + 1, "value"]
    assert failed.data and len(failed.data["items"]) == ITEMS
    bubbled = await run(TakingTurns, "{ strictItems { strict } }", Context())
    assert bubbled.data == {"strictItems": None}
    assert bubbled.errors and bubbled.errors[0].path == ["strictItems", LONG_LIST + 3, "strict"]


async def _ticks_during(executor: type[DeliveryExecutor]) -> int:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)  # the ticker starts
    before = ticks
    await run(executor, "{ items { value } }", Context(spin=0.0002))
    during = ticks - before
    ticker.cancel()
    return during


async def test_the_event_loop_runs_other_tasks_while_a_long_list_completes() -> None:
    # 307 items of 0.2 ms: over 60 ms of CPU, several turns of 20 ms.
    assert await _ticks_during(DeliveryExecutor) <= 1
    assert await _ticks_during(TakingTurns) >= 2


async def test_executions_sharing_a_lock_take_turns() -> None:
    lock = asyncio.Lock()
    shared = Context(turns=lock, spin=0.0002)
    own = Context(spin=0.0002)
    queries = ('{ items(label: "a") { value } }', '{ items(label: "b") { value } }')

    # One context (one lock): every item of one list before any of the other's.
    await asyncio.gather(run(TakingTurns, queries[0], shared), run(TakingTurns, queries[1], shared))
    labels = [label for label, _ in shared.seen]
    assert labels == sorted(labels) or labels == sorted(labels, reverse=True)
    assert len(labels) == 2 * ITEMS
    # Without a lock they interleave, turn by turn.
    await asyncio.gather(run(TakingTurns, queries[0], own), run(TakingTurns, queries[1], own))
    switches = sum(1 for a, b in zip(own.seen, own.seen[1:], strict=False) if a[0] != b[0])
    assert switches >= 2
