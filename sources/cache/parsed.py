"""The in-process cache of parsed public answers: a hit is the record itself, no JSON and no
checks again.

What the cache of public reads keeps in this process: the value a request's parse made of an
upstream's answer (an immutable record: frozen dataclasses and tuples, so one request cannot
change what another is handed), the time it was read, keyed by the read's cache key with what
its parse needs to be alike (`UpstreamRequest.sharing_key`). With `REDIS_URL` it stands in front
of Redis, which keeps the bytes: an entry found there is parsed once per process and kept here
for the time Redis still keeps it.

An LRU bounded by entries and by bytes (`BoundedLru`, as `MemoryCache`); an entry's size is the
size of the answer it was parsed from (its body and key), a proxy for the records, which take a
few times more. The least recently used entries go first; one larger than the whole budget is
not kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sources.cache.lru import BoundedLru

__all__ = ["ParsedAnswer", "ParsedCache"]

_OVERHEAD_BYTES = 200


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    """One answer as its parse read it."""

    value: Any
    read_at: datetime
    """When the upstream answered (aware, UTC): `fetchedAt` stays the time of the read."""


class ParsedCache:
    """Parsed answers by key, each until its own expiry."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lru: BoundedLru[Hashable, ParsedAnswer] = BoundedLru(
            max_entries=max_entries, max_bytes=max_bytes, clock=clock
        )

    @property
    def entries(self) -> int:
        """How many answers are kept now (expired ones not yet dropped included)."""
        return self._lru.entries

    @property
    def bytes(self) -> int:
        """The kept answers' estimated size."""
        return self._lru.bytes

    def get(self, key: Hashable) -> ParsedAnswer | None:
        """The answer kept under `key`, unless it expired or was evicted."""
        return self._lru.get(key)

    def put(self, key: Hashable, answer: ParsedAnswer, *, size: int, ttl_seconds: float) -> None:
        """Keep `answer` (parsed from `size` bytes) under `key` for `ttl_seconds` at most."""
        self._lru.put(key, answer, size=size + _OVERHEAD_BYTES, ttl_seconds=ttl_seconds)

    def clear(self) -> None:
        """Forget everything (the app's shutdown)."""
        self._lru.clear()
