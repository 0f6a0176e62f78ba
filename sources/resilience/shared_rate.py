"""A rate budget shared by every process that points at the same Redis.

An upstream's rate is a property of its plan (CardanoBI: 1 to 20 requests a second per key), not
of one server process. `RedisTokenBucket` keeps the budget in Redis, so any number of workers and
replicas together stay within `policy.per_second` with bursts of at most `policy.burst`.

The budget is one GCRA record (the "theoretical arrival time" of the next free slot) updated by a
single Lua script, so reservations from different processes are atomic and never overlap. Like the
in-process `TokenBucket`, a caller reserves the next slot at once and sleeps until it comes, so
callers queue in arrival order; a caller whose slot would come after its deadline reserves nothing
and gets `RateBudgetExhausted` at once. Time is Redis's own clock (`TIME`), so processes on hosts
whose clocks disagree still share one schedule.

The Redis key is the source plus a SHA-256 of the budget's identity (the API key, for CardanoBI):
never the credential itself. When Redis cannot be reached or answers too slowly, the call falls
back to a local `TokenBucket` with the same policy (so requests never fail because Redis is down;
the price is that, until Redis is back, each process spends the whole rate on its own), and
Redis is tried again after `RETRY_REDIS_SECONDS`. A caller cancelled while it waits for its slot
does not give the slot back (others may have queued behind it already): the budget errs on the
side of sending less.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable

import redis.asyncio as redis
from redis.exceptions import RedisError

from sources.resilience.policy import RatePolicy
from sources.resilience.ratelimit import RateBudgetExhausted, TokenBucket
from sources.source import Source

__all__ = [
    "REDIS_TIMEOUT_SECONDS",
    "RETRY_REDIS_SECONDS",
    "RedisTokenBucket",
    "budget_key",
    "connect_redis",
]

logger = logging.getLogger("holdings_graph.rate")

REDIS_TIMEOUT_SECONDS = 0.25
"""How long one reservation may wait for Redis before the local bucket decides instead: a
reservation is one round trip on loopback or a LAN, and a slow Redis must not slow every call."""

RETRY_REDIS_SECONDS = 1.0
"""How long after a Redis failure the local bucket keeps deciding before Redis is tried again
(so a dead Redis costs one timeout a second, not one per call)."""

_MICROS = 1_000_000

# KEYS[1] the budget; ARGV: interval and tolerance (µs), the longest wait allowed (µs, -1: any),
# and optionally "now" (µs; tests drive the clock, servers use Redis's TIME).
# Returns {1, wait_us} for a reserved slot, {0, wait_us} when the slot is past the deadline.
# Numbers are written with %.0f: Redis would format them with %.14g and lose microseconds.
_RESERVE = """
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local now
if ARGV[4] then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if max_wait >= 0 and wait > max_wait then
  return {0, string.format('%.0f', wait)}
end
local next_tat = tat + interval
local ttl = math.ceil((next_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', string.format('%.0f', ttl))
return {1, string.format('%.0f', wait)}
"""


def budget_key(source: Source, identity: str) -> str:
    """The Redis key of `source`'s budget for `identity` (an API key, a token, a URL): hashed,
    so the credential never reaches Redis."""
    digest = hashlib.sha256(f"{source.value}\0{identity}".encode()).hexdigest()[:32]
    return f"holdings:rate:{source.value.lower()}:{digest}"


def connect_redis(url: str) -> redis.Redis:
    """A client for the shared budget: short timeouts, so a stalled Redis falls back quickly.

    Nothing connects until the first command; the caller closes it (`aclose`)."""
    client: redis.Redis = redis.Redis.from_url(
        url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        retry_on_timeout=False,
    )
    return client


class RedisTokenBucket:
    """`policy.per_second` requests a second, `policy.burst` at once, for all processes sharing
    `key` on `client`; a local `TokenBucket` decides while Redis is unreachable."""

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        policy: RatePolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        shared_clock: Callable[[], float] | None = None,
    ) -> None:
        """`shared_clock` (seconds) replaces Redis's `TIME`: for tests that drive time."""
        self._client = client
        self._key = key
        # Rounded up: a slot a fraction of a microsecond early would exceed the rate.
        self._interval = math.ceil(_MICROS * policy.interval_seconds)
        self._tolerance = (policy.burst - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._shared_clock = shared_clock
        self._script = client.register_script(_RESERVE)
        self._local = TokenBucket(policy, clock=clock, sleep=sleep)
        self._redis_retry_at: float | None = None

    @property
    def shared(self) -> bool:
        """Whether reservations currently go to Redis (False while falling back)."""
        return self._redis_retry_at is None or self._clock() >= self._redis_retry_at

    async def acquire(self, deadline: float | None = None) -> None:
        if not self.shared:
            await self._local.acquire(deadline)
            return
        max_wait = -1 if deadline is None else max(0, int((deadline - self._clock()) * _MICROS))
        try:
            granted, wait = await self._reserve(max_wait)
        except (RedisError, OSError) as exc:
            if self._redis_retry_at is None:
                # The exception's text may hold the host; never the URL (it may carry a password).
                logger.warning(
                    "shared rate budget unreachable (%s); this process limits on its own",
                    type(exc).__name__,
                )
            self._redis_retry_at = self._clock() + RETRY_REDIS_SECONDS
            await self._local.acquire(deadline)
            return
        if self._redis_retry_at is not None:
            logger.info("shared rate budget reachable again")
            self._redis_retry_at = None
        if not granted:
            raise RateBudgetExhausted(wait)
        if wait > 0:
            await self._sleep(wait)

    async def _reserve(self, max_wait_us: int) -> tuple[bool, float]:
        args: list[int] = [self._interval, self._tolerance, max_wait_us]
        if self._shared_clock is not None:
            args.append(round(self._shared_clock() * _MICROS))
        granted, wait = await self._script(keys=[self._key], args=args)
        return int(granted) == 1, int(wait) / _MICROS
