"""What a response cache stores and the two calls every backend answers.

An entry is an upstream's accepted answer (status and body, no headers: nothing a caller reads
from a cached answer lives in them, and headers are where credentials travel) together with the
time it was read from the upstream, so `fetchedAt` stays the time of the read, not of the hit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

__all__ = ["CachedAnswer", "ResponseCache"]


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One upstream answer as the cache keeps it."""

    status: int
    body: bytes
    read_at: datetime
    """When the upstream answered (aware, UTC)."""
    expires_in: float | None = None
    """How many more seconds the backend keeps it, when it says (Redis's `PTTL`): a parsed
    copy kept in process lives no longer than the entry."""


class ResponseCache(Protocol):
    """A cache of upstream answers by key, each kept for its TTL.

    Neither call may raise for a backend failure: a cache that cannot answer is a miss, and a
    write it cannot make is dropped. The caller's request goes on to the upstream either way.
    """

    async def get(self, key: str) -> CachedAnswer | None:
        """The answer stored under `key`, unless it expired or was evicted."""

    async def set(self, key: str, answer: CachedAnswer, ttl_seconds: float) -> None:
        """Keep `answer` under `key` for `ttl_seconds` (or less, when the cache needs room)."""

    async def delete(self, key: str) -> None:
        """Forget `key` (an answer its caller refused after all)."""

    async def close(self) -> None:
        """Release the backend's connections (the app's shutdown)."""
