"""Relay-style windows over native upstream pagination.

A source describes its pagination as `fetch(position) -> Slice`: the items of the upstream page
at `position`, each with the position that resumes right after it, and the position of the
following page (None on the last). `walk` collects `first + 1` matching items across as many
upstream pages as it takes, so that `first` is independent of the upstream page size, no item is
yielded twice, `hasNextPage` is exact, and no page is empty unless the list is.

One exception is bounded on purpose: a filter the graph applies itself (symbols on on-chain
accounts) may have to scan many upstream pages to find a few matches. Such a scan stops after
`MAX_FILTERED_PAGES` pages; the page then ends early (possibly empty) with `hasNextPage: true`
and an `endCursor` that resumes the scan where it stopped, so the client can walk on.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from resolvers.cursors import CursorCodec
from resolvers.errors import BadUserInput, GraphError
from resolvers.scanning import ScanBudget

__all__ = ["MAX_FILTERED_PAGES", "Connection", "Page", "Slice", "Walked", "Window", "walk"]

T = TypeVar("T")
Position = Any  # JSON-able; stored in cursors

#: How many upstream pages one field may scan for a filter the graph applies itself.
MAX_FILTERED_PAGES = 50


@dataclass(frozen=True, slots=True)
class Window:
    """A validated `first`/`after` request on one connection."""

    first: int
    after: str | None

    @classmethod
    def of(cls, first: int | None, after: str | None, *, default: int, maximum: int) -> Window:
        """Check `first` against 1..maximum before any upstream call."""
        if first is None:
            first = default
        if not 1 <= first <= maximum:
            raise BadUserInput(f"first: {first} is out of range; it must be from 1 to {maximum}")
        return cls(first, after)


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """One upstream page: items with their resume positions, and the next page's position.

    `items` may be a generator: `walk` stops reading once it has `first + 1`, so records are
    built only for the items a page needs.
    """

    items: Iterable[tuple[T, Position]]
    next: Position | None


@dataclass(frozen=True, slots=True)
class Walked(Generic[T]):
    """What a walk collected: items with their resume positions, whether more follow, and
    where the scan stopped when it stopped before finding `first + 1` items."""

    items: list[tuple[T, Position]]
    has_next: bool
    resume: Position | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One connection page as resolvers return it: items with their (encoded) cursors."""

    items: Sequence[tuple[T, str]]
    has_next: bool
    has_previous: bool
    total_count: int | None = None
    #: Soft failures of this field (for example one Calico provider down): the items are still
    #: good, and each of these becomes an error on the field.
    problems: Sequence[GraphError] = field(default_factory=tuple)
    #: Where to resume when that is not after the last item (a bounded scan stopped early).
    end_cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Connection:
    """What a cursor is bound to: one list (with its filter) and, for custodial data, one user."""

    name: str
    user: str | None = None

    def resume(self, codec: CursorCodec, window: Window, caller: str | None) -> Position | None:
        """The position `window.after` points at (None: the start), if `caller` may use it."""
        if window.after is None:
            return None
        return codec.decode(window.after, self.name, caller=caller)

    def page(
        self,
        codec: CursorCodec,
        window: Window,
        walked: Walked[T],
        *,
        total_count: int | None = None,
        problems: Sequence[GraphError] = (),
    ) -> Page[T]:
        """A page whose cursors resume this connection after each item."""
        return Page(
            [(item, self._cursor(codec, position)) for item, position in walked.items],
            has_next=walked.has_next,
            has_previous=window.after is not None,
            total_count=total_count,
            problems=tuple(problems),
            end_cursor=None if walked.resume is None else self._cursor(codec, walked.resume),
        )

    def slice(
        self, codec: CursorCodec, window: Window, listed: Sequence[T], caller: str | None
    ) -> Page[T]:
        """A page of a list the source returns whole (Mesh, the provider registry): positions
        are offsets into `listed`."""
        start = self.resume(codec, window, caller) or 0
        if not isinstance(start, int) or start < 0:
            start = 0
        chosen = listed[start : start + window.first]
        walked = Walked(
            [(item, start + index + 1) for index, item in enumerate(chosen)],
            has_next=start + len(chosen) < len(listed),
        )
        return self.page(codec, window, walked, total_count=len(listed))

    def _cursor(self, codec: CursorCodec, position: Position) -> str:
        return codec.encode(self.name, position, user=self.user)

    @classmethod
    def empty(cls) -> Page[Any]:
        return Page((), has_next=False, has_previous=False)


async def walk(
    fetch: Callable[[Position], Awaitable[Slice[T]]],
    start: Position,
    first: int,
    keep: Callable[[T], bool] | None = None,
    *,
    page_size: int,
    scan: ScanBudget | None = None,
) -> Walked[T]:
    """Up to `first` items from `start`, and whether more follow.

    Without `keep`, as many upstream pages are read as `first + 1` items need (a resumed page
    may start part-way, hence two more); with `keep`, at most `MAX_FILTERED_PAGES` beyond that,
    each drawn from the request's `scan` budget: when it is spent, the walk stops there and
    its `resume` position lets the next page go on.
    """
    needed = math.ceil((first + 1) / max(1, page_size)) + 2
    budget = needed if keep is None else max(needed, MAX_FILTERED_PAGES)
    collected: list[tuple[T, Position]] = []
    position = start
    for index in range(budget):
        if keep is not None and scan is not None and index >= needed and not scan.take():
            return Walked(collected, True, resume=position)
        page = await fetch(position)
        for item, after in page.items:
            if keep is None or keep(item):
                collected.append((item, after))
                if len(collected) > first:
                    return Walked(collected[:first], True)
        if page.next is None:
            return Walked(collected, False)
        position = page.next
    return Walked(collected, True, resume=position)
