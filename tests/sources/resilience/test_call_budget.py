"""The budget layer: each attempt spends one call of the request's budget (`CALL_BUDGET`), an
attempt with no room is not sent, a shared call spends from the first waiter with room, and an
attempt that never left is given back."""

from __future__ import annotations

import asyncio

import pytest

from resolvers.context import UpstreamCallBudget
from sources.algod import sandbox_data as algod_data
from sources.errors import UpstreamError
from sources.http.budget import UpstreamCallsSpent
from sources.resilience.budget import CALL_BUDGET
from sources.resilience.deadline import set_deadline
from sources.resilience.policy import RatePolicy, RetryPolicy
from tests.harness import Sandboxes
from tests.sources.resilience.upstreams import clients, in_own_context

RETRY3 = RetryPolicy(max_attempts=3, base_seconds=0.0, max_seconds=0.0)


async def test_an_attempt_with_no_room_left_is_not_sent(clean: Sandboxes) -> None:
    budget = UpstreamCallBudget(limit=1)
    async with clients(clean) as c:

        async def request() -> None:
            CALL_BUDGET.set(budget)
            await c.algod.account(algod_data.SMALL)
            with pytest.raises(UpstreamCallsSpent) as spent:
                await c.algod.account(algod_data.WHALE)
            assert spent.value.code == "QUERY_TOO_COMPLEX" and not spent.value.sent

        await in_own_context(request)
    assert budget.spent == 1
    assert await clean.algod.total() == 1


async def test_each_retry_spends_a_call(clean: Sandboxes) -> None:
    await clean.algod.faults(status=503, count=2)
    budget = UpstreamCallBudget(limit=2)
    async with clients(clean, retry=RETRY3) as c:

        async def request() -> None:
            CALL_BUDGET.set(budget)
            with pytest.raises(UpstreamCallsSpent):
                await c.algod.account(algod_data.SMALL)  # 503, 503, and no room for a third

        await in_own_context(request)
    assert await clean.algod.total() == 2


async def test_a_shared_call_spends_from_the_first_waiter_with_room(clean: Sandboxes) -> None:
    spent, roomy = UpstreamCallBudget(limit=0), UpstreamCallBudget(limit=5)
    async with clients(clean) as c:

        async def request(budget: UpstreamCallBudget) -> str:
            CALL_BUDGET.set(budget)
            return (await c.algod.account(algod_data.SMALL)).address

        answers = await asyncio.gather(
            in_own_context(lambda: request(spent)), in_own_context(lambda: request(roomy))
        )
    assert answers == [algod_data.SMALL] * 2
    assert (spent.spent, roomy.spent) == (0, 1)
    assert await clean.algod.total() == 1


async def test_an_attempt_refused_by_the_rate_budget_is_given_back(clean: Sandboxes) -> None:
    budget = UpstreamCallBudget(limit=5)
    async with clients(clean, rate=RatePolicy(per_second=0.01, burst=1)) as c:

        async def request() -> None:
            set_deadline(2.0)
            CALL_BUDGET.set(budget)
            await c.mesh.portfolio("alice")  # the one slot of the next 100 s
            with pytest.raises(UpstreamError) as refused:
                await c.mesh.portfolio("bob")
            assert refused.value.code == "UPSTREAM_RATE_LIMITED" and not refused.value.sent

        await in_own_context(request)
    assert budget.spent == 1
