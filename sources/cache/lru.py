"""An LRU bounded by entries and by bytes, each entry with its own expiry: what both in-process
caches keep (`MemoryCache` its answers' bytes, `ParsedCache` their records).

Both bounds hold after every `put`: the least recently used entries go first, and a value larger
than the whole byte budget is not kept at all. An expired entry is dropped when it is next
looked up or when it reaches the LRU end. The caller says each value's size.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["BoundedLru"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    value: V
    expires: float
    size: int


class BoundedLru(Generic[K, V]):
    """Values by key, each until its own expiry, within `max_entries` and `max_bytes`."""

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
        self._entries: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._bytes = 0

    @property
    def entries(self) -> int:
        """How many values are kept now (expired ones not yet dropped included)."""
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """The kept values' sizes, summed."""
        return self._bytes

    def keys(self) -> list[K]:
        """The kept keys, least recently used first."""
        return list(self._entries)

    def get(self, key: K) -> V | None:
        """The value kept under `key`, unless it expired or was evicted."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self._clock():
            self.delete(key)
            return None
        self._entries.move_to_end(key)
        return entry.value

    def put(self, key: K, value: V, *, size: int, ttl_seconds: float) -> None:
        """Keep `value` (of `size` bytes) under `key` for `ttl_seconds` at most."""
        if ttl_seconds <= 0:
            return
        self.delete(key)
        if size > self._max_bytes:
            return
        self._entries[key] = _Entry(value, self._clock() + ttl_seconds, size)
        self._bytes += size
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            self.delete(next(iter(self._entries)))

    def delete(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
