"""The driver of a feed in one process: read, deliver, wait the source's interval, again.

Used for every custodial feed, and for public ones without Redis. A reading that failed is
delivered too (its event carries the failure) and the next one comes after the source's
interval, or after the `Retry-After` the upstream asked for when that is longer. The driver is
cancelled when its feed's last follower leaves, so polling stops with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from resolvers.live.feed import AccountFeed
from resolvers.live.reading import retry_after
from resolvers.live.records import Reading
from resolvers.portfolio import SourceProblem

__all__ = ["Reader", "poll", "safely"]

logger = logging.getLogger("holdings_graph.live")

Reader = Callable[[], Awaitable[Reading]]


async def safely(feed: AccountFeed, read: Reader) -> Reading:
    """One reading; an unexpected failure becomes the reading's problem, never the driver's end."""
    try:
        return await read()
    except asyncio.CancelledError:
        raise
    except Exception as error:  # the feed goes on; the error is masked for clients
        logger.error("live reading of %s failed", feed.account.source.value, exc_info=error)
        problem = SourceProblem(feed.account.source, error, feed.account)
        return Reading(feed.account, datetime.now(UTC), None, (problem,))


async def poll(
    feed: AccountFeed, read: Reader, interval: float, observe: Callable[[Reading], None]
) -> None:
    """Read and deliver every `interval` seconds until cancelled."""
    while True:
        reading = await safely(feed, read)
        observe(reading)
        feed.deliver(reading)
        await asyncio.sleep(max(interval, retry_after(reading)))
