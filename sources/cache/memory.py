"""The in-process response cache: LRU, bounded by entries and by bytes, each entry with a TTL.

The default backend (no `REDIS_URL`). Both bounds hold after every `set`: the least recently
used entries go first, and an answer larger than the whole byte budget is not stored at all.
An expired entry is dropped when it is next looked up or when it reaches the LRU end.
A key's size counts with its body's, so a cache of many tiny answers is bounded too.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sources.cache.protocol import CachedAnswer

__all__ = ["MemoryCache"]

_OVERHEAD_BYTES = 200
"""A rough per-entry cost of the dict slot, the dataclasses and the datetime."""


@dataclass(frozen=True, slots=True)
class _Entry:
    answer: CachedAnswer
    expires: float
    size: int


class MemoryCache:
    """A `ResponseCache` in this process's memory."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be at least 1, not {max_bytes}")
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0

    @property
    def entries(self) -> int:
        """How many answers are stored now (expired ones not yet dropped included)."""
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """The stored answers' estimated size."""
        return self._bytes

    def keys(self) -> list[str]:
        """The stored keys, least recently used first."""
        return list(self._entries)

    async def get(self, key: str) -> CachedAnswer | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self._clock():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.answer

    async def set(self, key: str, answer: CachedAnswer, ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            return
        size = len(answer.body) + len(key) + _OVERHEAD_BYTES
        if key in self._entries:
            self._drop(key)
        if size > self._max_bytes:
            return
        self._entries[key] = _Entry(answer, self._clock() + ttl_seconds, size)
        self._bytes += size
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))

    async def delete(self, key: str) -> None:
        if key in self._entries:
            self._drop(key)

    async def close(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size
