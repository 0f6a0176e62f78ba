"""Per-caller rate limits: no one caller's requests may crowd out everyone else's.

A caller is the user a verified bearer token names (`sub`), or, without one (or with a refused
one), the client's address (an IPv6 address by its /64, which one host usually holds whole).
Each caller has a token bucket of `per_second` requests a second and bursts of `burst`, kept as
one GCRA record (the "theoretical arrival time" of its next free slot): a request over the rate
is refused at once with how long until the next slot (HTTP 429 with `Retry-After`), never queued.

`LocalCallerRates` keeps the records in this process, in an LRU bounded by `max_callers` (a
caller evicted while idle has simply recovered its whole burst). `RedisCallerRates` keeps them
in Redis (one atomic Lua script, on Redis's clock), so every worker and replica pointing at the
same Redis shares each caller's budget; keys are a SHA-256 of the caller, never the user id or
address itself. When Redis cannot be reached or answers too slowly, the local records decide
(logged once) and Redis is tried again a second later: requests never fail because Redis is down.

Why not the `limits` package (or slowapi over it): its strategies are fixed and moving windows
with one-second granularity, not a token bucket with a burst, it has no fallback when Redis
fails, and the project already runs GCRA in Redis for the upstream budgets
(`sources/resilience/shared_rate.py`); this is the same algorithm for a different key.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis
from redis.exceptions import RedisError

__all__ = [
    "CallerRate",
    "CallerRates",
    "LocalCallerRates",
    "RedisCallerRates",
    "address_caller",
    "user_caller",
]

logger = logging.getLogger("holdings_graph.caller_rate")

_MICROS = 1_000_000
_RETRY_REDIS_SECONDS = 1.0

# KEYS[1] the caller's record; ARGV interval and tolerance (µs).
# Returns the wait in µs: 0 when admitted (and the slot taken), else how long until one is free.
_ADMIT = """
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait > 0 then return string.format('%.0f', wait) end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX',
  string.format('%.0f', math.ceil((next_tat - now) / 1000) + 1000))
return '0'
"""


@dataclass(frozen=True, slots=True)
class CallerRate:
    """`per_second` requests a second per caller, `burst` at once."""

    per_second: float
    burst: int

    @property
    def interval(self) -> float:
        return 1.0 / self.per_second

    @property
    def tolerance(self) -> float:
        return (self.burst - 1) * self.interval


def user_caller(user_id: str) -> str:
    return f"user:{user_id}"


def address_caller(address: str | None) -> str:
    """The caller key of a client address: IPv4 whole, IPv6 by its /64."""
    if address is None:
        return "address:unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"address:{address}"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"address:{ip.ipv4_mapped}"
        return f"address:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"address:{ip}"


class CallerRates(Protocol):
    """Admits a caller's request, or says how long until it would be (seconds)."""

    @property
    def rate(self) -> CallerRate: ...

    async def admit(self, caller: str) -> float | None: ...

    async def close(self) -> None: ...


class LocalCallerRates:
    """Caller budgets in this process."""

    def __init__(
        self,
        rate: CallerRate,
        *,
        max_callers: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate
        self._max_callers = max_callers
        self._clock = clock
        self._arrivals: OrderedDict[str, float] = OrderedDict()

    @property
    def rate(self) -> CallerRate:
        return self._rate

    async def admit(self, caller: str) -> float | None:
        return self.admit_now(caller)

    def admit_now(self, caller: str) -> float | None:
        now = self._clock()
        tat = max(self._arrivals.get(caller, now), now)
        wait = tat - self._rate.tolerance - now
        if wait > 0:
            return wait
        self._arrivals[caller] = tat + self._rate.interval
        self._arrivals.move_to_end(caller)
        while len(self._arrivals) > self._max_callers:
            self._arrivals.popitem(last=False)
        return None

    async def close(self) -> None:
        self._arrivals.clear()


class RedisCallerRates:
    """Caller budgets in Redis, shared by every process on it; local while Redis is away."""

    def __init__(
        self,
        client: redis.Redis,
        rate: CallerRate,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._rate = rate
        self._clock = clock
        self._script = client.register_script(_ADMIT)
        self._interval = math.ceil(_MICROS * rate.interval)
        self._tolerance = (rate.burst - 1) * self._interval
        self._local = LocalCallerRates(rate, clock=clock)
        self._retry_at: float | None = None

    @property
    def rate(self) -> CallerRate:
        return self._rate

    async def admit(self, caller: str) -> float | None:
        if self._retry_at is not None and self._clock() < self._retry_at:
            return self._local.admit_now(caller)
        try:
            wait = int(
                await self._script(keys=[_key(caller)], args=[self._interval, self._tolerance])
            )
        except (RedisError, OSError) as exc:
            if self._retry_at is None:
                # The exception's type only: its text may name the host, never the URL.
                logger.warning(
                    "shared caller rates unreachable (%s); this process limits callers on its own",
                    type(exc).__name__,
                )
            self._retry_at = self._clock() + _RETRY_REDIS_SECONDS
            return self._local.admit_now(caller)
        if self._retry_at is not None:
            logger.info("shared caller rates reachable again")
            self._retry_at = None
        return wait / _MICROS if wait > 0 else None

    async def close(self) -> None:
        await self._client.aclose()


def _key(caller: str) -> str:
    return "holdings:caller:" + hashlib.sha256(caller.encode("utf-8")).hexdigest()[:32]
