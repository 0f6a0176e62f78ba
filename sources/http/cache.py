"""The top layer: the in-process cache of parsed public reads.

A cacheable read is looked up first, by its cache key and what its parse needs alike
(`UpstreamRequest.sharing_key`); the observer hears hit or miss (`cache="public"`). A hit is
the value a parse made of the answer before, handed out as it is: immutable records, so no
JSON decoding, no checks and no record building again, and its `read_at` (`fetchedAt`) the
time it was first read. A read that must be fresher, a live poll, takes only entries within its
`MAX_AGE` (`sources.cache.freshness`). Otherwise the layers below answer (the single flight,
then the parse, which keeps what parsed). Keys hold no header, so no credential
(`sources.cache.key`); custodial reads are never cacheable.
"""

from __future__ import annotations

from typing import TypeVar, cast

from sources.cache.freshness import fresh_enough
from sources.http.request import UpstreamRequest
from sources.http.setup import Read, Setup

__all__ = ["CacheLayer"]

T = TypeVar("T")


class CacheLayer:
    """Answers from the parsed public cache when it can."""

    def __init__(self, next_layer: Read, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup
        wiring = setup.wiring
        # A cache with no time to keep anything is no cache; the single flight below stays.
        self._parsed = wiring.parsed if wiring.cache_ttl_seconds > 0 else None

    async def __call__(self, request: UpstreamRequest[T]) -> T:
        parsed = self._parsed
        if parsed is None or not request.shared:
            return cast("T", await self._next(request))
        setup = self._setup
        found = parsed.get((setup.key(request), request.sharing_key))
        hit = found is not None and fresh_enough(found.read_at)
        setup.wiring.observer.public_cache(setup.source, request.label, hit)
        if found is not None and hit:
            return cast("T", found.value)
        return cast("T", await self._next(request))
