"""CardanoBI's identity server is an upstream of its own: its outage opens its
own circuit, never the API's; its token requests spend its own rate budget; its messages name it;
and a read the shared cache answers asks it for nothing. Counted at the sandbox, which serves
both the API and the token endpoint."""

from __future__ import annotations

import pytest

from sources.cache import MemoryCache
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.sandbox import TOKEN_PATH
from sources.errors import UpstreamUnavailable
from sources.resilience.deadline import set_deadline
from sources.resilience.policy import BreakerPolicy, RatePolicy
from sources.source import Source
from tests.harness import Sandboxes

from .clock import ManualClock
from .upstreams import Recorder, clients, in_own_context

TOKEN = "POST /connect/token"
ACCOUNT = "GET /api/core/accounts/{stake_address}"
ADDRESSES = cardano_data.BENCH_STAKE_ADDRESSES[:4]
"""Different accounts: identical reads would share one call (the single flight)."""


async def test_an_identity_outage_opens_its_own_circuit_and_never_the_apis(
    clean: Sandboxes,
) -> None:
    clock, recorder = ManualClock(), Recorder()
    breaker = BreakerPolicy(failure_threshold=2, reset_seconds=30)
    await clean.cardanobi.faults(status=503, path=TOKEN_PATH)
    async with clients(clean, breaker=breaker, clock=clock, observer=recorder) as c:
        messages = []
        for address in ADDRESSES:
            with pytest.raises(UpstreamUnavailable) as failed:
                await c.cardanobi.account(address)
            messages.append(failed.value.message)
        states = (c.identity.breaker_state, c.upstreams[Source.CARDANO].breaker_state)
        during = [await clean.cardanobi.count(TOKEN), await clean.cardanobi.count(ACCOUNT)]
        await clean.cardanobi.reset()
        clock.advance(30)  # the identity server's pause is over: its probe may go
        account = await c.cardanobi.account(cardano_data.SMALL)
    assert states == ("open", "closed")
    assert during == [2, 0]  # two token requests, then its circuit refused; the API never asked
    assert messages[:2] == ["CardanoBI's identity server failed (HTTP 503)"] * 2
    assert all(
        message.startswith("CardanoBI's identity server failed repeatedly, so its circuit is open")
        for message in messages[2:]
    )
    assert account is not None and account.total_balance == cardano_data.SMALL_ADA
    assert [await clean.cardanobi.count(TOKEN), await clean.cardanobi.count(ACCOUNT)] == [1, 1]
    # The CardanoBI breaker the metrics show is the API's: it never changed.
    assert recorder.breaker == []


async def test_token_requests_spend_the_identity_servers_rate_budget_not_the_apis(
    clean: Sandboxes,
) -> None:
    # One request per 100 s, burst 1: had the token request taken the API's only token, the
    # read would wait 100 s for the next and fail at its deadline.
    async with clients(clean, rate=RatePolicy(per_second=0.01, burst=1)) as c:

        async def call() -> object:
            set_deadline(5.0)
            return await c.cardanobi.account(cardano_data.SMALL)

        account = await in_own_context(call)
    assert account is not None
    assert [await clean.cardanobi.count(TOKEN), await clean.cardanobi.count(ACCOUNT)] == [1, 1]


async def test_a_read_the_shared_cache_answers_asks_the_identity_server_nothing(
    clean: Sandboxes,
) -> None:
    cache = MemoryCache(max_entries=100, max_bytes=1024 * 1024)
    async with clients(clean, cache=cache, cache_ttl_seconds=60.0) as c:
        first = await c.cardanobi.account(cardano_data.SMALL)
        await clean.cardanobi.faults(status=503, path=TOKEN_PATH)
        # A client with a token cache of its own: it holds no token, and could get none now.
        again = await c.fresh_cardanobi().account(cardano_data.SMALL)
    assert again == first
    assert [await clean.cardanobi.count(TOKEN), await clean.cardanobi.count(ACCOUNT)] == [1, 1]
