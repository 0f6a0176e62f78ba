"""The top layer: the shared cache of public reads, and the one place answers are parsed.

A cacheable read is looked up first (the observer hears hit or miss); an answer found there is
served without a request, its `read_at` the time it was first read (a read that must be fresher,
a live poll, takes only entries within its `MAX_AGE`: `sources.cache.freshness`). Otherwise the
layers below answer. Every answer, cached or not, is then read by the request's `parse`, and
only a 2xx answer that parsed is kept for the TTL: a body the client refuses is never served
again from the cache, and a cached one it refuses is dropped. Keys hold no header, so no credential
(`sources.cache.key`); custodial reads are never cacheable.
"""

from __future__ import annotations

from typing import TypeVar

from sources.cache.freshness import fresh_enough
from sources.cache.protocol import CachedAnswer
from sources.errors import UpstreamError
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup

__all__ = ["CacheLayer"]

T = TypeVar("T")


class CacheLayer:
    """Answers from the shared cache when it can; parses every answer; keeps what parsed."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup
        wiring = setup.wiring
        # A cache with no time to keep anything is no cache; the single flight below stays.
        self._cache = wiring.cache if wiring.cache_ttl_seconds > 0 else None

    async def __call__(self, request: UpstreamRequest[T]) -> T:
        cache = self._cache
        if cache is None or not request.shared:
            return request.parse(await self._next(request))
        setup = self._setup
        key = setup.key(request)
        hit = await cache.get(key)
        setup.wiring.observer.public_cache(setup.source, request.label, hit is not None)
        if hit is not None and hit.status in request.accept and fresh_enough(hit.read_at):
            cached = UpstreamResponse(
                setup.source, hit.status, {}, hit.body, read_at=hit.read_at, from_cache=True
            )
            try:
                return request.parse(cached)
            except UpstreamError:
                await cache.delete(key)
                raise
        response = await self._next(request)
        value = request.parse(response)
        if 200 <= response.status < 300:
            answer = CachedAnswer(response.status, response.body, response.read_at)
            await cache.set(key, answer, setup.wiring.cache_ttl_seconds)
        return value
