"""The in-process cache of parsed public answers: a hit is the record itself, no JSON and no
checks again.

What the cache of public reads keeps in this process: the value a request's parse made of an
upstream's answer (an immutable record: frozen dataclasses and tuples, so one request cannot
change what another is handed), the time it was read, keyed by the read's cache key with what
its parse needs to be alike (`UpstreamRequest.sharing_key`). With `REDIS_URL` it stands in front
of Redis, which keeps the bytes: an entry found there is parsed once per process and kept here
for the time Redis still keeps it.

An LRU bounded by entries and by bytes, as `MemoryCache` is; an entry's size is the size of the
answer it was parsed from (its body and key), a proxy for the records, which take a few times
more. The least recently used entries go first; one larger than the whole budget is not kept.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["ParsedAnswer", "ParsedCache"]

_OVERHEAD_BYTES = 200


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """One answer as its parse read it."""

    value: Any
    read_at: datetime
    """When the upstream answered (aware, UTC): `fetchedAt` stays the time of the read."""


@dataclass(frozen=True, slots=True)
class _Entry:
    answer: ParsedAnswer
    expires: float
    size: int


class ParsedCache:
    """Parsed answers by key, each until its own expiry."""

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
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._bytes = 0

    @property
    def entries(self) -> int:
        """How many answers are kept now (expired ones not yet dropped included)."""
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """The kept answers' estimated size."""
        return self._bytes

    def get(self, key: Hashable) -> ParsedAnswer | None:
        """The answer kept under `key`, unless it expired or was evicted."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self._clock():
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.answer

    def put(self, key: Hashable, answer: ParsedAnswer, *, size: int, ttl_seconds: float) -> None:
        """Keep `answer` (parsed from `size` bytes) under `key` for `ttl_seconds` at most."""
        if ttl_seconds <= 0:
            return
        size += _OVERHEAD_BYTES
        if key in self._entries:
            self._drop(key)
        if size > self._max_bytes:
            return
        self._entries[key] = _Entry(answer, self._clock() + ttl_seconds, size)
        self._bytes += size
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        """Forget everything (the app's shutdown)."""
        self._entries.clear()
        self._bytes = 0

    def _drop(self, key: Hashable) -> None:
        entry = self._entries.pop(key)
        self._bytes -= entry.size
