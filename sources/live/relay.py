"""What the polling replica read, shared with the others: the latest reading of each account in
a key, its sequence number beside it, and a pub/sub message each time it changes.

    live:v1:state:<name>    the latest reading (bytes, as the caller encoded it)
    live:v1:seq:<name>      its sequence number
    live:v1:changed:<name>  the channel that announces each new sequence number

`publish` writes all three in one script, and only while the writer holds the account's lease
(the lease key is passed in), so a replica that lost its lease cannot overwrite the new
holder's reading. `touch` keeps both keys alive while nothing changes. Followers `watch` an
account: one pub/sub connection per process, subscribed to the channels of the accounts it
follows, wakes the watcher of each; a message lost (a reconnect) is caught up by comparing
`seq` (the message only says that something changed; the reading is read from the key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator

import redis.asyncio as aioredis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError

__all__ = ["RedisRelay"]

logger = logging.getLogger("holdings_graph.live")

_PUBLISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[4])
redis.call('PUBLISH', KEYS[4], ARGV[2])
return 1
"""

_TOUCH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1
"""


class RedisRelay:
    """Shares readings between replicas through one Redis."""

    def __init__(self, client: aioredis.Redis, keep_seconds: float) -> None:
        self._client = client
        self._keep_ms = max(1000, int(keep_seconds * 1000))
        self._publish = client.register_script(_PUBLISH)
        self._touch = client.register_script(_TOUCH)
        self._events: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._pubsub: PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._changes = asyncio.Event()

    @staticmethod
    def _keys(name: str) -> tuple[str, str, str]:
        return f"live:v1:state:{name}", f"live:v1:seq:{name}", f"live:v1:changed:{name}"

    async def publish(self, lease_key: str, owner: str, name: str, seq: int, data: bytes) -> bool:
        """Store `data` as the account's reading number `seq` and announce it, if `owner` still
        holds `lease_key`; whether it did."""
        state, seq_key, channel = self._keys(name)
        done = await self._publish(
            keys=[lease_key, state, seq_key, channel], args=[owner, seq, data, self._keep_ms]
        )
        return bool(done)

    async def touch(self, lease_key: str, owner: str, name: str) -> None:
        """Keep the account's reading for another while (nothing changed)."""
        state, seq_key, _ = self._keys(name)
        await self._touch(keys=[lease_key, state, seq_key], args=[owner, self._keep_ms])

    async def seq(self, name: str) -> int:
        """The latest sequence number written (0: none)."""
        value = await self._client.get(self._keys(name)[1])
        return int(value) if value is not None else 0

    async def latest(self, name: str) -> bytes | None:
        value = await self._client.get(self._keys(name)[0])
        return bytes(value) if value is not None else None

    @contextlib.asynccontextmanager
    async def watch(self, name: str) -> AsyncIterator[asyncio.Event]:
        """An event set whenever the account's channel announces a change (cleared by the
        caller), while the block runs."""
        event = asyncio.Event()
        first = not self._events[name]
        self._events[name].add(event)
        try:
            if first:
                await self._subscribe(name)
            yield event
        finally:
            self._events[name].discard(event)
            if not self._events[name]:
                del self._events[name]
                await self._unsubscribe(name)

    async def _subscribe(self, name: str) -> None:
        try:
            if self._pubsub is None:
                self._pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            await self._pubsub.subscribe(self._keys(name)[2])
            if self._listener is None or self._listener.done():
                self._listener = asyncio.create_task(self._listen(), name="live-relay-listener")
        except RedisError as error:
            # The watcher still compares sequence numbers on its own; it only hears later.
            logger.warning("live relay could not subscribe: %s", type(error).__name__)

    async def _unsubscribe(self, name: str) -> None:
        if self._pubsub is None:
            return
        with contextlib.suppress(RedisError):
            await self._pubsub.unsubscribe(self._keys(name)[2])

    async def _listen(self) -> None:
        prefix = len("live:v1:changed:")
        while self._pubsub is not None:
            try:
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.1)
                    continue
                message = await self._pubsub.get_message(timeout=1.0)
            except RedisError:
                await asyncio.sleep(0.5)
                continue
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            name = (channel.decode() if isinstance(channel, bytes) else str(channel))[prefix:]
            for event in self._events.get(name, ()):
                event.set()

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, RedisError):
                await self._listener
        if self._pubsub is not None:
            with contextlib.suppress(RedisError):
                await self._pubsub.aclose()  # type: ignore[no-untyped-call]
            self._pubsub = None
