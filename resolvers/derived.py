"""Records derived from a shared upstream page, made once per page and kept beside it.

The cache of public reads and the single flight hand the same immutable page object to every
request within its TTL (`sources/http/cache.py`). What a resolver derives from it for one
account (its holding records, their ids, their resume positions) is then the same each time,
so it is made on the first request and handed to the next ones: kept by the page's identity
(with the page itself, so the identity cannot be reused while kept), for a bounded number of
pages, the oldest dropped first. A page read afresh (the cache off) is a new object: derived
once, for the requests that share its flight.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["PerPage"]

V = TypeVar("V")


class PerPage(Generic[V]):
    """Values derived from pages, by the page's identity and what else they depend on."""

    def __init__(self, max_pages: int = 64) -> None:
        if max_pages < 1:
            raise ValueError(f"max_pages must be at least 1, not {max_pages}")
        self._max = max_pages
        self._kept: OrderedDict[tuple[int, Hashable], tuple[object, V]] = OrderedDict()

    def get(self, page: object, key: Hashable, derive: Callable[[], V]) -> V:
        """What `derive()` makes of `page` under `key`: made once while `page` is kept."""
        slot = (id(page), key)
        kept = self._kept.get(slot)
        if kept is not None and kept[0] is page:
            return kept[1]
        value = derive()
        self._kept[slot] = (page, value)
        self._kept.move_to_end(slot)
        while len(self._kept) > self._max:
            self._kept.popitem(last=False)
        return value
