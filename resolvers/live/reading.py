"""One reading of one account, through the same resolvers and upstream layers as a query.

Each reading gets a fresh `RequestContext` (new loaders, a fresh request deadline and call
budget, the subscriber's own identity for a custodial account, nobody's for a public one) and
reads every holding with `resolvers.portfolio.reading.read_accounts`, so caching, the single
flight, the breaker, the rate budget and its fair queues apply to it as to any request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from resolvers.context import RequestContext, Services
from resolvers.identity import Caller
from resolvers.live.records import Reading
from resolvers.portfolio.reading import read_accounts
from resolvers.records import AccountRecord
from sources.cache.freshness import MAX_AGE
from sources.errors import UpstreamError

__all__ = ["read_account", "retry_after"]


async def read_account(
    services: Services, account: AccountRecord, caller: Caller, max_age: float
) -> Reading:
    """Every holding of `account` now (None and the failure when it could not be read); an
    answer in the shared cache serves it only if read at most `max_age` seconds ago."""
    MAX_AGE.set(max_age)
    # Whose reading it is for the sources' fair queues: the user's own for a custodial account
    # (the key `web.caller_rate.user_caller` gives their requests), else the feed's, one caller
    # however many follow it.
    identity = caller.identity
    key = f"user:{identity.user_id}" if identity is not None else f"live:{account.id}"
    context = RequestContext.create(services, caller, caller_key=key)
    reads, problems = await read_accounts(context, [account])
    holdings = reads[0].holdings if reads else None
    rounds = [h.round for h in holdings or () if h.round is not None]
    return Reading(
        account=account,
        read_at=datetime.now(UTC),
        holdings=holdings,
        problems=tuple(problems),
        round=max(rounds) if rounds else None,
    )


def retry_after(reading: Reading) -> float:
    """How long the upstream asked us to wait before reading again (0: as usual)."""
    waits = [
        problem.error.retry_after_seconds
        for problem in reading.problems
        if isinstance(problem.error, UpstreamError) and problem.error.retry_after_seconds
    ]
    return float(max(waits)) if waits else 0.0
