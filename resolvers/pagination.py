"""Relay-style windows over native upstream pagination.

A source describes its pagination as `fetch(position) -> Slice`: the items of the upstream page
at `position`, each with the position that resumes right after it, and the position of the
following page (None on the last). `walk` collects `first + 1` matching items across as many
upstream pages as it takes, so that `first` is independent of the upstream page size, no item is
yielded twice, `hasNextPage` is exact, and no page is empty unless the list is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from resolvers.cursors import CursorCodec
from resolvers.errors import BadUserInput, GraphError

__all__ = ["Connection", "Page", "Slice", "Window", "in_memory", "walk"]

T = TypeVar("T")
Position = Any  # JSON-able; stored in cursors

#: How many upstream pages one connection field may read before it answers with what it has.
MAX_PAGES_PER_FIELD = 50


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
class Page(Generic[T]):
    """One connection page as resolvers return it: items with their (encoded) cursors."""

    items: Sequence[tuple[T, str]]
    has_next: bool
    has_previous: bool
    total_count: int | None = None
    #: Soft failures of this field (for example one Calico provider down): the items are still
    #: good, and each of these becomes an error on the field.
    problems: Sequence[GraphError] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Connection:
    """What a cursor is bound to: one list (with its filter) and, for custodial data, one user."""

    name: str
    user: str | None = None

    def resume(self, codec: CursorCodec, window: Window) -> Position | None:
        """The position `window.after` points at (None: the start)."""
        if window.after is None:
            return None
        return codec.decode(window.after, self.name, user=self.user)

    def page(
        self,
        codec: CursorCodec,
        window: Window,
        items: Sequence[tuple[T, Position]],
        has_next: bool,
        *,
        total_count: int | None = None,
        problems: Sequence[GraphError] = (),
    ) -> Page[T]:
        """A page whose cursors resume this connection after each item."""
        return Page(
            [(item, codec.encode(self.name, position, user=self.user)) for item, position in items],
            has_next=has_next,
            has_previous=window.after is not None,
            total_count=total_count,
            problems=tuple(problems),
        )

    @classmethod
    def empty(cls) -> Page[Any]:
        return Page((), has_next=False, has_previous=False)


async def walk(
    fetch: Callable[[Position], Awaitable[Slice[T]]],
    start: Position,
    first: int,
    keep: Callable[[T], bool] | None = None,
    *,
    max_pages: int = MAX_PAGES_PER_FIELD,
) -> tuple[list[tuple[T, Position]], bool]:
    """Up to `first` items from `start`, and whether more follow."""
    collected: list[tuple[T, Position]] = []
    position = start
    for _ in range(max_pages):
        page = await fetch(position)
        for item, after in page.items:
            if keep is None or keep(item):
                collected.append((item, after))
                if len(collected) > first:
                    return collected[:first], True
        if page.next is None:
            return collected, False
        position = page.next
    return collected, True


def in_memory(items: Sequence[T], offset: int) -> Slice[T]:
    """A list the source returns whole (Mesh): one page, positions are offsets."""
    return Slice(((items[index], index + 1) for index in range(offset, len(items))), None)
