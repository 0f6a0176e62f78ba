"""Where each part of a response sent in parts (`@defer`, `@stream`) lands in the whole.

graphql-core 3.3's `IncrementalExecutor` answers with an initial result and subsequent ones in
the format of graphql-js 17.0.0-alpha.9 (Apollo's `incrementalSpec=v0.2`):

    initial     {data, errors?, pending: [{id, path, label?}], hasNext: true}
    subsequent  {pending?, incremental?: [{id, data | items, subPath?, errors?}],
                 completed?: [{id, errors?}], hasNext}

A deferred fragment's `data` lands at its pending `path` + `subPath`; a stream's `items` are
appended to the list at its pending `path`, so where they land depends on how many items came
before. `Deliveries` follows one response's frames, in order, and tells for each entry where it
lands (`Landing`). Both the error translation (which part a soft error travels with) and the
HTTP layer (the 2022-08-24 format Apollo Client and Relay read names absolute paths and item
indexes) need this.

A soft error (`schema/soft.py`) is reported with its field's path, while the field still
answers; it travels with the part whose data holds that field (`holds`), or holds the null that
took the field's place.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    IncrementalDeferResult,
    IncrementalStreamResult,
    InitialIncrementalExecutionResult,
    SubsequentIncrementalExecutionResult,
)
from graphql.execution import PendingResult

__all__ = ["Deliveries", "Entry", "Frame", "Landing", "holds"]

Frame = InitialIncrementalExecutionResult | SubsequentIncrementalExecutionResult
Entry = IncrementalDeferResult | IncrementalStreamResult
ResponsePath = list[str | int]


@dataclass(frozen=True, slots=True)
class Landing:
    """Where an entry lands: a fragment's data at `path`; a stream's items in the list at
    `path`, the first at index `start`."""

    path: ResponsePath
    label: str | None
    start: int | None = None

    def holds(self, entry: Entry, path: Sequence[str | int]) -> bool:
        """Whether `entry` (landing here) holds the field at `path`, or the null in its place."""
        if len(path) < len(self.path) or list(path[: len(self.path)]) != self.path:
            return False
        rest = path[len(self.path) :]
        if isinstance(entry, IncrementalDeferResult):
            return holds(entry.data, rest)
        if not rest or not isinstance(rest[0], int) or self.start is None:
            return False
        index = rest[0] - self.start
        return 0 <= index < len(entry.items) and holds(entry.items[index], rest[1:])


def holds(data: Any, path: Sequence[str | int]) -> bool:
    """Whether `data` has a value at `path`, or a null on the way there."""
    for key in path:
        if data is None:
            return True
        if not _has(data, key):
            return False
        data = data[key]
    return True


def _has(data: Any, key: str | int) -> bool:
    if isinstance(data, dict):
        return isinstance(key, str) and key in data
    return isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for key in path:
        if not _has(data, key):
            return None
        data = data[key]
    return data


def _held(entry: Entry, landing: Landing) -> list[tuple[ResponsePath, Any]]:
    """The values `entry` delivers, each with its path."""
    if isinstance(entry, IncrementalDeferResult):
        return [(landing.path, entry.data)]
    start = landing.start or 0
    return [([*landing.path, start + n], item) for n, item in enumerate(entry.items)]


class Deliveries:
    """The pending fragments and streams of one response, followed frame by frame."""

    def __init__(self) -> None:
        self._pending: dict[str, PendingResult] = {}
        #: Index of the next item of each stream.
        self._next: dict[str, int] = {}

    def follow(self, frame: Frame) -> list[tuple[Entry, Landing]]:
        """Take in `frame` (each frame once, in order); its entries with where they land."""
        announced = list(frame.pending or ())
        for pending in announced:
            self._pending[pending.id] = pending
        if isinstance(frame, InitialIncrementalExecutionResult):
            self._start_streams(announced, [([], frame.data)])
            return []
        entries = list(frame.incremental or ())
        new = {pending.id for pending in announced}
        landings: dict[int, Landing] = {}
        held: list[tuple[ResponsePath, Any]] = []
        # A stream announced now has its first items in what this same frame delivers: land
        # everything else first, then the new streams' own items.
        for late in (False, True):
            for index, entry in enumerate(entries):
                if (isinstance(entry, IncrementalStreamResult) and entry.id in new) is late:
                    landings[index] = landing = self._land(entry)
                    held += _held(entry, landing)
            if not late:
                self._start_streams(announced, held)
        return [(entry, landings[index]) for index, entry in enumerate(entries)]

    def _land(self, entry: Entry) -> Landing:
        landing = self.landing(entry.id, entry.sub_path)
        if isinstance(entry, IncrementalStreamResult):
            self._next[entry.id] = (landing.start or 0) + len(entry.items)
        return landing

    def _start_streams(
        self, announced: Sequence[PendingResult], data: Sequence[tuple[ResponsePath, Any]]
    ) -> None:
        """Note how many items each announced stream's list already has (a fragment's pending
        path holds an object, a stream's a list)."""
        for pending in announced:
            for base, value in data:
                if list(pending.path[: len(base)]) == base:
                    items = _at(value, pending.path[len(base) :])
                    if isinstance(items, list):
                        self._next[pending.id] = len(items)

    def landing(self, id: str, sub_path: Sequence[str | int] | None = None) -> Landing:
        """Where the next entry of pending `id` lands."""
        pending = self._pending.get(id)
        if pending is None:
            raise ValueError(f"no pending fragment or stream has the id {id!r}")
        return Landing([*pending.path, *(sub_path or ())], pending.label, self._next.get(id))

    def latest(self) -> str:
        """The id of the fragment or stream announced last."""
        if not self._pending:
            raise ValueError("no fragment or stream is pending")
        return next(reversed(self._pending))

    def completed(self, frame: SubsequentIncrementalExecutionResult) -> Iterator[Landing]:
        """Where each fragment or stream that `frame` completes landed."""
        for completed in frame.completed or ():
            yield self.landing(completed.id)
