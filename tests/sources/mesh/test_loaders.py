"""Loaders batch per tick and dedupe keys, proven by counting requests at the sandbox."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest

from sources.errors import UpstreamUnavailable
from sources.mesh import MeshClient, MeshLoaders, PortfolioKey, load_portfolios
from sources.mesh import sandbox_data as data
from tests.sources.mesh.conftest import MeshControl


async def test_same_key_many_times_in_one_tick_is_one_request(
    client: MeshClient, control: MeshControl
) -> None:
    loaders = MeshLoaders.create(client)
    key = PortfolioKey(data.ALICE)
    portfolios = await asyncio.gather(*(loaders.portfolio.load(key) for _ in range(10)))
    assert len({id(p) for p in portfolios}) == 1
    assert await control.portfolio_requests() == {"200": 1}


async def test_a_key_asked_again_later_is_served_from_the_cache(
    client: MeshClient, control: MeshControl
) -> None:
    loaders = MeshLoaders.create(client)
    first = await loaders.portfolio.load(PortfolioKey(data.BOB))
    again = await loaders.portfolio.load(PortfolioKey(data.BOB))
    assert again is first
    assert await control.portfolio_requests() == {"200": 1}


async def test_a_portfolio_served_later_keeps_the_time_mesh_answered(
    client: MeshClient, control: MeshControl
) -> None:
    loaders = MeshLoaders.create(client)
    before = datetime.now(UTC)
    await loaders.portfolio.load(PortfolioKey(data.BOB))
    answered = datetime.now(UTC)
    await asyncio.sleep(0.05)
    again = await loaders.portfolio.load(PortfolioKey(data.BOB))
    assert again.fetched_at is not None
    assert before <= again.fetched_at <= answered
    assert await control.portfolio_requests() == {"200": 1}


async def test_distinct_users_are_requested_concurrently(
    client: MeshClient, control: MeshControl
) -> None:
    await control.faults(latency_ms=200)
    loaders = MeshLoaders.create(client)
    users = [data.ALICE, data.BOB, data.WHALE, data.generated_user(1), data.generated_user(2)]
    started = time.perf_counter()
    await asyncio.gather(*(loaders.portfolio.load(PortfolioKey(user)) for user in users))
    elapsed = time.perf_counter() - started
    stats = await control.stats()
    assert stats["max_in_flight"] == len(users)
    assert await control.portfolio_requests() == {"200": len(users)}
    assert elapsed < 0.6  # together: one after another would take 5 x 0.2 s


async def test_answers_come_back_in_key_order(client: MeshClient) -> None:
    loaders = MeshLoaders.create(client)
    users = [data.BOB, data.ALICE, "nobody", data.WHALE]
    portfolios = await loaders.portfolio.load_many([PortfolioKey(user) for user in users])
    assert [len(p.equity_positions) for p in portfolios] == [1, 2, 0, data.WHALE_EQUITIES]


async def test_a_failing_key_fails_alone(client: MeshClient) -> None:
    loaders = MeshLoaders.create(client)
    good = loaders.portfolio.load(PortfolioKey(data.BOB))
    bad = loaders.portfolio.load(PortfolioKey(data.FAILING_USER))
    results = await asyncio.gather(good, bad, return_exceptions=True)
    assert str(results[0].equity_positions[0].market_value) == "5191.5"  # type: ignore[union-attr]
    assert isinstance(results[1], UpstreamUnavailable)


async def test_timezone_offsets_are_distinct_keys(client: MeshClient, control: MeshControl) -> None:
    loaders = MeshLoaders.create(client)
    await loaders.portfolio.load_many(
        [PortfolioKey(data.ALICE, 0), PortfolioKey(data.ALICE, 3600), PortfolioKey(data.ALICE)]
    )
    assert await control.portfolio_requests() == {"200": 2}


async def test_loaders_of_two_requests_share_no_cache(
    client: MeshClient, control: MeshControl
) -> None:
    first, second = MeshLoaders.create(client), MeshLoaders.create(client)
    await first.portfolio.load(PortfolioKey(data.ALICE))
    await second.portfolio.load(PortfolioKey(data.ALICE))
    assert await control.portfolio_requests() == {"200": 2}


async def test_batch_function_sends_one_request_per_distinct_key(
    client: MeshClient, control: MeshControl
) -> None:
    alice, bob = PortfolioKey(data.ALICE), PortfolioKey(data.BOB)
    results = await load_portfolios(client, [alice, bob, alice, alice])
    assert results[0] is results[2] is results[3]
    assert results[1] is not results[0]
    assert await control.portfolio_requests() == {"200": 2}


@pytest.mark.parametrize("fault", [{"status": 503}, {"drop": True}])
async def test_batch_function_puts_each_failure_in_its_slot(
    client: MeshClient, control: MeshControl, fault: dict[str, object]
) -> None:
    await control.faults(**fault)
    results = await load_portfolios(client, [PortfolioKey(data.ALICE), PortfolioKey(data.BOB)])
    assert [type(result) for result in results] == [UpstreamUnavailable, UpstreamUnavailable]
