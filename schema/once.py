"""One schema object per live event, however many subscribers receive it.

A feed hands the same event record to every subscriber it serves (`resolvers.live`). Turning
it into the schema's objects (`HoldingsChangedEvent.of` builds an `AssetHolding` per holding:
2,500 for the whale, a fifth of a second on a loaded machine) costs far more than executing one
subscriber's selection over them, so it is done once per event, not once per subscriber: 500
subscribers of the whale would otherwise hold the event loop for over a minute. The objects are
plain data; each subscriber's own execution (its own context and selection) reads them, so
sharing them shares nothing of a subscriber's.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Once"]

E = TypeVar("E")
T = TypeVar("T")


class Once(Generic[E, T]):
    """`convert`, remembered for the last `size` events (by identity: the same record object,
    which is kept referenced while remembered so its id cannot be reused)."""

    def __init__(self, convert: Callable[[E], T], size: int = 16) -> None:
        self._convert = convert
        self._size = size
        self._recent: OrderedDict[int, tuple[E, T]] = OrderedDict()

    def __call__(self, event: E) -> T:
        key = id(event)
        known = self._recent.get(key)
        if known is not None and known[0] is event:
            self._recent.move_to_end(key)
            return known[1]
        made = self._convert(event)
        self._recent[key] = (event, made)
        if len(self._recent) > self._size:
            self._recent.popitem(last=False)
        return made
