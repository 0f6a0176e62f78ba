"""The parse layer: the one place answers are parsed, and where what parsed is kept.

Every answer the layers below give is read by the request's `parse` (the observer hears it:
`origin="upstream"`). For a cacheable read, under the single flight (so once however many
requests share the call), only a 2xx answer that parsed is kept: its parsed value in this
process (`Wiring.parsed`) and, with Redis, its bytes there for every process (`Wiring.cache`).
A body the client refuses is never kept, so never served again.

With Redis, the bytes are looked up here first (`cache="redis"`): an entry found is parsed once
for this process (`origin="cache"`) and its value kept in process for as long as Redis keeps the
entry; an entry the parse refuses is deleted.
"""

from __future__ import annotations

from typing import TypeVar

from sources.cache.freshness import fresh_enough
from sources.cache.parsed import ParsedAnswer
from sources.cache.protocol import CachedAnswer
from sources.errors import UpstreamError
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup

__all__ = ["ParseLayer"]

T = TypeVar("T")


class ParseLayer:
    """Parses every answer; keeps what parsed of the shared reads."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer
        self._setup = setup
        wiring = setup.wiring
        self._ttl = wiring.cache_ttl_seconds
        on = self._ttl > 0
        self._parsed = wiring.parsed if on else None
        self._stored = wiring.cache if on else None

    async def __call__(self, request: UpstreamRequest[T]) -> T:
        setup = self._setup
        kept = request.shared and (self._parsed is not None or self._stored is not None)
        key = setup.key(request) if kept else ""
        if kept and self._stored is not None:
            hit = await self._stored.get(key)
            usable = hit is not None and hit.status in request.accept and fresh_enough(hit.read_at)
            setup.wiring.observer.public_cache(setup.source, request.label, usable, cache="redis")
            if hit is not None and usable:
                return await self._from_stored(request, key, hit)
        response = await self._next(request)
        value = request.parse(response)
        setup.wiring.observer.answer_parsed(setup.source, request.label, "upstream")
        if kept and 200 <= response.status < 300:
            await self._keep(request, key, response, value)
        return value

    async def _from_stored(self, request: UpstreamRequest[T], key: str, hit: CachedAnswer) -> T:
        setup = self._setup
        response = UpstreamResponse(
            setup.source, hit.status, {}, hit.body, read_at=hit.read_at, from_cache=True
        )
        setup.wiring.observer.answer_parsed(setup.source, request.label, "cache")
        try:
            value = request.parse(response)
        except UpstreamError:
            if self._stored is not None:
                await self._stored.delete(key)
            raise
        if self._parsed is not None:
            left = self._ttl if hit.expires_in is None else min(hit.expires_in, self._ttl)
            self._parsed.put(
                (key, request.sharing_key),
                ParsedAnswer(value, hit.read_at),
                size=len(hit.body) + len(key),
                ttl_seconds=left,
            )
        return value

    async def _keep(
        self, request: UpstreamRequest[T], key: str, response: UpstreamResponse, value: T
    ) -> None:
        if self._parsed is not None:
            self._parsed.put(
                (key, request.sharing_key),
                ParsedAnswer(value, response.read_at),
                size=len(response.body) + len(key),
                ttl_seconds=self._ttl,
            )
        if self._stored is not None:
            answer = CachedAnswer(response.status, response.body, response.read_at)
            await self._stored.set(key, answer, self._ttl)
