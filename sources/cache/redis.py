"""The response cache in Redis, shared by every process and replica that names the same Redis.

Used when `REDIS_URL` is set, behind the in-process cache of parsed answers: every replica
answers from the same entries, each parsed once per process. Keys are `cache_key`s
(`holdings:v1:...`); a value is a short header (format version, status, read time in
microseconds since the epoch) and the body, stored with `SET ... PX <ttl>`. A read asks
for the entry's `PTTL` in the same round trip, so a parsed copy kept in process
(`sources.cache.parsed`) lives no longer than the entry.

Redis is a help, never a dependency: a failed or slow call (bounded by `timeout_seconds`) is a
miss or a dropped write for that call only, the read goes to the upstream, and the failure is
logged at most once per `log_every_seconds` (with the exception's type, never the URL, which may
carry a password).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from sources.cache.protocol import CachedAnswer

__all__ = ["RedisCache"]

logger = logging.getLogger(__name__)

_FORMAT = b"1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RedisCache:
    """A `ResponseCache` in Redis."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        timeout_seconds: float = 0.5,
        log_every_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._timeout = timeout_seconds
        self._log_every = log_every_seconds
        self._clock = clock
        self._last_logged: float | None = None
        self.failures = 0
        """Calls that failed since start (a miss or a dropped write each)."""

    @classmethod
    def from_url(cls, url: str, *, timeout_seconds: float = 0.5) -> RedisCache:
        """A cache on the Redis at `url` (connections are made on first use)."""
        client = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            health_check_interval=30,
        )
        return cls(client, timeout_seconds=timeout_seconds)

    async def get(self, key: str) -> CachedAnswer | None:
        try:
            value, left = await asyncio.wait_for(self._get(key), self._timeout)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("read", exc)
            return None
        if not isinstance(value, bytes):
            return None
        answer = _decode(value)
        if answer is None or not isinstance(left, int) or left < 0:
            return answer
        return dataclasses.replace(answer, expires_in=left / 1000)

    async def _get(self, key: str) -> list[Any]:
        # The entry and how long Redis still keeps it, in one round trip (no MULTI needed:
        # an entry that expires in between is a value with a PTTL of -2, taken as unknown).
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.pttl(key)
            return list(await pipe.execute())

    async def set(self, key: str, answer: CachedAnswer, ttl_seconds: float) -> None:
        milliseconds = int(ttl_seconds * 1000)
        if milliseconds < 1:
            return
        try:
            await asyncio.wait_for(
                self._client.set(key, _encode(answer), px=milliseconds), self._timeout
            )
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("write", exc)

    async def delete(self, key: str) -> None:
        try:
            await asyncio.wait_for(self._client.delete(key), self._timeout)
        except (RedisError, OSError, TimeoutError) as exc:
            self._failed("delete", exc)

    async def close(self) -> None:
        await self._client.aclose()

    def _failed(self, what: str, exc: BaseException) -> None:
        self.failures += 1
        now = self._clock()
        if self._last_logged is not None and now - self._last_logged < self._log_every:
            return
        self._last_logged = now
        logger.warning(
            "the shared cache in Redis failed a %s (%s); reading from the upstreams instead "
            "(%d failures so far)",
            what,
            type(exc).__name__,
            self.failures,
        )


def _encode(answer: CachedAnswer) -> bytes:
    micros = (answer.read_at - _EPOCH) // timedelta(microseconds=1)
    return b"%s %d %d\n" % (_FORMAT, answer.status, micros) + answer.body


def _decode(value: bytes) -> CachedAnswer | None:
    """The stored answer; None for a value this version did not write (a miss)."""
    header, newline, body = value.partition(b"\n")
    fields = header.split(b" ")
    if not newline or len(fields) != 3 or fields[0] != _FORMAT:
        return None
    try:
        status, micros = int(fields[1]), int(fields[2])
    except ValueError:
        return None
    return CachedAnswer(status, body, _EPOCH + timedelta(microseconds=micros))
