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

Nothing cut is presented as whole. An upstream item that could not be read is `Skipped`: no
item, but its error goes with the page that covers its place. An upstream page that fails after
others were read ends the walk there with what was read, `hasNextPage: true`, an `endCursor`
that resumes at the failed page, and the failure. A source that knows its upstream cut the list
(CardanoBI's first 100) marks the slice `cut`. Any of these makes the page incomplete.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from resolvers.cursors import CursorCodec
from resolvers.errors import BadUserInput
from resolvers.scanning import ScanBudget

__all__ = [
    "MAX_FILTERED_PAGES",
    "Page",
    "Pager",
    "Skipped",
    "Slice",
    "Walked",
    "Window",
    "walk",
]

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
class Skipped:
    """An upstream item that could not be read, in its place among a slice's items."""

    error: Exception


@dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """One upstream page: items with their resume positions, and the next page's position.

    `items` may be a generator: `walk` stops reading once it has `first + 1`, so records are
    built only for the items a page needs. `cut`: the upstream gave this much of the list and
    no more, though more may exist (there is then no `next`).
    """

    items: Iterable[tuple[T | Skipped, Position]]
    next: Position | None
    cut: bool = False


@dataclass(frozen=True, slots=True)
class Walked(Generic[T]):
    """What a walk collected: items with their resume positions, whether more follow, and
    where the scan stopped when it stopped before finding `first + 1` items.

    `problems`: the errors of skipped items among those collected, and the failure of a page
    that ended the walk early; `cut`: a slice read was cut by its upstream.
    """

    items: list[tuple[T, Position]]
    has_next: bool
    resume: Position | None = None
    problems: tuple[Exception, ...] = ()
    cut: bool = False

    @property
    def complete(self) -> bool:
        """Whether nothing the walk crossed is missing (as far as the graph can know)."""
        return not self.problems and not self.cut


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One connection page as resolvers return it: items with their (encoded) cursors."""

    items: Sequence[tuple[T, str]]
    has_next: bool
    has_previous: bool
    total_count: int | None = None
    #: Soft failures of this field (one Calico provider down, an item that could not be read,
    #: a list the upstream cut): the items are still good, and each of these becomes an error
    #: on the field.
    problems: Sequence[Exception] = field(default_factory=tuple)
    #: Where to resume when that is not after the last item (a bounded scan stopped early).
    end_cursor: str | None = None
    #: False when the list is known to miss items (see `problems`).
    complete: bool = True


@dataclass(frozen=True, slots=True)
class Pager:
    """Pages one list: what a cursor is bound to (the list, with its filter, and for custodial
    data one user), resuming it and building its pages. The schema's `Connection` serves them."""

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
        problems: Sequence[Exception] = (),
    ) -> Page[T]:
        """A page whose cursors resume this connection after each item; incomplete when the
        walk or `problems` say something is missing (a known cut leaves `totalCount` null)."""
        complete = walked.complete and not problems
        return Page(
            [(item, self._cursor(codec, position)) for item, position in walked.items],
            has_next=walked.has_next,
            has_previous=window.after is not None,
            total_count=total_count if not walked.cut else None,
            problems=(*walked.problems, *problems),
            end_cursor=None if walked.resume is None else self._cursor(codec, walked.resume),
            complete=complete,
        )

    def slice(
        self,
        codec: CursorCodec,
        window: Window,
        listed: Sequence[T],
        caller: str | None,
        problems: Sequence[Exception] = (),
    ) -> Page[T]:
        """A page of a list the source returns whole (Mesh, the provider registry): positions
        are offsets into `listed`; `problems`: what the source sent that could not be listed."""
        start = self.resume(codec, window, caller) or 0
        if not isinstance(start, int) or start < 0:
            start = 0
        chosen = listed[start : start + window.first]
        walked = Walked(
            [(item, start + index + 1) for index, item in enumerate(chosen)],
            has_next=start + len(chosen) < len(listed),
        )
        total = len(listed) if not problems else None  # not a guess: some items are missing
        return self.page(codec, window, walked, total_count=total, problems=problems)

    def _cursor(self, codec: CursorCodec, position: Position) -> str:
        return codec.encode(self.name, position, user=self.user)

    @classmethod
    def empty(cls) -> Page[Any]:
        return Page((), has_next=False, has_previous=False)

    @classmethod
    def failed(cls, error: Exception) -> Page[Any]:
        """What a list field that failed as a whole answers: nothing, incomplete, `error`."""
        return Page((), has_next=False, has_previous=False, problems=(error,), complete=False)


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
    its `resume` position lets the next page go on. A page that fails after the first ends the
    walk where it stands (see the module's docstring); the first one's failure is raised.
    """
    needed = math.ceil((first + 1) / max(1, page_size)) + 2
    budget = needed if keep is None else max(needed, MAX_FILTERED_PAGES)
    collected: list[tuple[T, Position]] = []
    #: Skipped items' errors, each with how many items were collected before it.
    skipped: list[tuple[int, Exception]] = []
    cut = False
    position = start

    def walked(has_next: bool, resume: Position | None = None, *extra: Exception) -> Walked[T]:
        # With `first + 1` items found, the next page resumes after the `first`th: a skipped
        # item after it is that page's to report.
        full = len(collected) > first
        mine = tuple(error for before, error in skipped if before < first or not full)
        return Walked(collected[:first], has_next, resume, (*mine, *extra), cut)

    for index in range(budget):
        if keep is not None and scan is not None and index >= needed and not scan.take():
            return walked(True, position)
        try:
            page = await fetch(position)
        except Exception as error:  # a later page's failure keeps what came before it
            if index == 0:
                raise
            return walked(True, position, error)
        cut = cut or page.cut
        for item, after in page.items:
            if isinstance(item, Skipped):
                skipped.append((len(collected), item.error))
            elif keep is None or keep(item):
                collected.append((item, after))
                if len(collected) > first:
                    return walked(True)
        if page.next is None:
            return walked(False)
        position = page.next
    return walked(True, position)
