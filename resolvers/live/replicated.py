"""The driver of a public account's feed when replicas share Redis: one of them polls.

Every replica with subscribers to the account runs this loop; the one holding the account's
lease (`sources.live.RedisLease`) reads the upstream each interval, delivers to its own
subscribers, and, when something changed, publishes the feed's state (last holdings, current
failures, sequence number) through the relay; a task of its own renews the lease all along,
during readings too. The others follow: woken by the relay's message (or every tenth of a
lease, to catch up on a lost one), they read the state from Redis and deliver it to their
subscribers, who get the same events as the poller's. Each follower tries to take the lease
on every step, so when the holder dies its lease expires and another replica polls within one
lease period (plus one step); its first reading is compared with the last state it followed,
so no change is lost over the handover. A replica whose last subscriber leaves releases the
lease at once.

Redis is a help, not a dependency: while it cannot be reached each replica polls on its own
(logged at most once a minute), as without `REDIS_URL`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Protocol

from redis.exceptions import RedisError

from resolvers.live.codec import ReadingCodec
from resolvers.live.feed import AccountFeed
from resolvers.live.polling import Reader, safely
from resolvers.live.reading import retry_after
from resolvers.live.records import Reading

__all__ = ["Lease", "Relay", "Replication", "replicate"]

logger = logging.getLogger("holdings_graph.live")

Observe = Callable[[Reading, str], None]


class Lease(Protocol):
    owner: str

    def key(self, name: str) -> str: ...
    async def hold(self, name: str) -> bool: ...
    async def release(self, name: str) -> None: ...


class Relay(Protocol):
    async def publish(
        self, lease_key: str, owner: str, name: str, seq: int, data: bytes
    ) -> bool: ...
    async def touch(self, lease_key: str, owner: str, name: str) -> None: ...
    async def seq(self, name: str) -> int: ...
    async def latest(self, name: str) -> bytes | None: ...
    def watch(self, name: str) -> AbstractAsyncContextManager[asyncio.Event]: ...


@dataclass(frozen=True, slots=True)
class Replication:
    lease: Lease
    relay: Relay
    codec: ReadingCodec
    lease_seconds: float


_WARN_EVERY = 60.0
_last_warning = 0.0


def _unreachable(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY:
        _last_warning = now
        logger.warning(
            "live: Redis unreachable (%s); each replica polls its accounts on its own",
            type(error).__name__,
        )


def _state(feed: AccountFeed) -> Reading:
    """The feed's state as a reading: what a follower needs to stand where the poller stands."""
    assert feed.read_at is not None
    return Reading(
        account=feed.account,
        read_at=feed.read_at,
        holdings=feed.holdings,
        problems=feed.problems,
        round=feed.round,
        seq=feed.seq,
    )


async def _catch_up(feed: AccountFeed, replication: Replication, observe: Observe) -> None:
    """Deliver the latest state in Redis if it is newer than the feed's."""
    name = feed.key.account_id
    relay = replication.relay
    if await relay.seq(name) <= feed.seq:
        return
    data = await relay.latest(name)
    reading = replication.codec.loads(data) if data is not None else None
    if reading is not None and reading.seq > feed.seq:
        observe(reading, "relay")
        feed.deliver(reading)


async def _lead(
    feed: AccountFeed, read: Reader, interval: float, observe: Observe, replication: Replication
) -> None:
    """Poll while this replica holds the lease; return when it is lost.

    The lease is renewed every third of its period by a task of its own, during a reading as
    between two (a reading of a large account on a loaded machine can outlast a lease); a
    reading finished after the lease was lost is dropped, since the new holder reads too."""
    name = feed.key.account_id
    lease, relay = replication.lease, replication.relay
    lost = asyncio.Event()

    async def renew() -> None:
        while True:
            await asyncio.sleep(replication.lease_seconds / 3)
            try:
                held = await lease.hold(name)
            except RedisError as error:
                _unreachable(error)
                continue  # unknown: go on; publishing is fenced by the lease anyway
            if not held:
                lost.set()
                return

    renewer = asyncio.create_task(renew())
    try:
        await _catch_up(feed, replication, observe)
        while not lost.is_set():
            reading = await safely(feed, read)
            if lost.is_set():
                return
            observe(reading, "poll")
            if feed.deliver(reading):
                data = replication.codec.dumps(replace(_state(feed), seq=feed.seq))
                if not await relay.publish(lease.key(name), lease.owner, name, feed.seq, data):
                    return
            else:
                await relay.touch(lease.key(name), lease.owner, name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), max(interval, retry_after(reading)))
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer


async def replicate(
    feed: AccountFeed, read: Reader, interval: float, observe: Observe, replication: Replication
) -> None:
    """Lead or follow `feed`'s account until cancelled (then give the lease up)."""
    name = feed.key.account_id
    lease, relay = replication.lease, replication.relay
    step = replication.lease_seconds / 10
    try:
        async with relay.watch(name) as changed:
            while True:
                try:
                    if await lease.hold(name):
                        await _lead(feed, read, interval, observe, replication)
                        continue
                    await _catch_up(feed, replication, observe)
                except RedisError as error:
                    _unreachable(error)
                    reading = await safely(feed, read)
                    observe(reading, "poll")
                    feed.deliver(reading)
                    await asyncio.sleep(max(interval, retry_after(reading)))
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), step)
                changed.clear()
    finally:
        with contextlib.suppress(RedisError, asyncio.CancelledError):
            await asyncio.shield(lease.release(name))
