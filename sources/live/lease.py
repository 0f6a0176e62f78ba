"""A lease in Redis: which replica polls one account (`SET NX PX`, renewed, released).

The holder is named by a random id of this process (`owner`); the lease is `SET key owner NX PX
<lease>`, renewed by a script that extends it only while `owner` still holds it, and released
by one that deletes it only then, so a replica can never extend or drop another's lease. A
holder that dies stops renewing: the key expires within one lease period and the next replica
that asks takes it.

Every call is bounded by the client's timeouts; a Redis failure raises `RedisError` for the
caller to decide (the live driver polls on its own while Redis is away).
"""

from __future__ import annotations

import redis.asyncio as aioredis

__all__ = ["RedisLease"]

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisLease:
    """Leases named `<prefix><name>`, held by `owner` for `seconds` at a time."""

    def __init__(
        self, client: aioredis.Redis, owner: str, seconds: float, prefix: str = "live:v1:lease:"
    ) -> None:
        self._client = client
        self.owner = owner
        self._ms = max(1, int(seconds * 1000))
        self._prefix = prefix
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def key(self, name: str) -> str:
        return self._prefix + name

    async def hold(self, name: str) -> bool:
        """Renew the lease if this process holds it, else take it if it is free; whether this
        process holds it now."""
        key = self.key(name)
        if await self._renew(keys=[key], args=[self.owner, self._ms]):
            return True
        return bool(await self._client.set(key, self.owner, nx=True, px=self._ms))

    async def release(self, name: str) -> None:
        """Give the lease up (only if this process holds it)."""
        await self._release(keys=[self.key(name)], args=[self.owner])

    async def holder(self, name: str) -> str | None:
        value = await self._client.get(self.key(name))
        return value.decode() if isinstance(value, bytes) else value
