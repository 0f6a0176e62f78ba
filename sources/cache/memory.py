"""The in-process response cache: LRU, bounded by entries and by bytes, each entry with a TTL.

The default backend (no `REDIS_URL`). Both bounds hold after every `set`: the least recently
used entries go first, and an answer larger than the whole byte budget is not stored at all.
An expired entry is dropped when it is next looked up or when it reaches the LRU end.
A key's size counts with its body's, so a cache of many tiny answers is bounded too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sources.cache.lru import BoundedLru
from sources.cache.protocol import CachedAnswer

__all__ = ["MemoryCache"]

_OVERHEAD_BYTES = 200
"""A rough per-entry cost of the dict slot, the dataclasses and the datetime."""


class MemoryCache:
    """A `ResponseCache` in this process's memory."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lru: BoundedLru[str, CachedAnswer] = BoundedLru(
            max_entries=max_entries, max_bytes=max_bytes, clock=clock
        )

    @property
    def entries(self) -> int:
        """How many answers are stored now (expired ones not yet dropped included)."""
        return self._lru.entries

    @property
    def bytes(self) -> int:
        """The stored answers' estimated size."""
        return self._lru.bytes

    def keys(self) -> list[str]:
        """The stored keys, least recently used first."""
        return self._lru.keys()

    async def get(self, key: str) -> CachedAnswer | None:
        return self._lru.get(key)

    async def set(self, key: str, answer: CachedAnswer, ttl_seconds: float) -> None:
        size = len(answer.body) + len(key) + _OVERHEAD_BYTES
        self._lru.put(key, answer, size=size, ttl_seconds=ttl_seconds)

    async def delete(self, key: str) -> None:
        self._lru.delete(key)

    async def close(self) -> None:
        self._lru.clear()
