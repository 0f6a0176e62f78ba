"""What the walk adds up: the figures of a selection set, per instance of its parent object.

Two kinds of figure travel together. The *document* figures (depth, selections, aliases)
describe the expanded document and do not grow with the data;
the *response* figures (cost, fields, upstream calls) count what one instance of the parent
makes the server return or send, so a list of `n` multiplies them by `n`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Figures", "QueryFigures"]


@dataclass(frozen=True, slots=True)
class QueryFigures:
    """What one operation asks for, as the limits measure it."""

    depth: int
    aliases: int
    cost: int
    #: Field selections of the document with every fragment spread expanded.
    selections: int = 0
    #: Fields the response may hold (keys, scaled by the lists above them).
    fields: int = 0
    #: Upstream requests the operation may make.
    upstream_calls: int = 0
    #: Pairs of fields at one response path, which validation compares (`overlaps.py`).
    overlaps: int = 0


@dataclass(slots=True)
class Figures:
    """The figures of some selections, per instance of the object they are selected on.

    Mutable, so a selection set adds its fields up in place; a figure handed out (a
    fragment's, kept for its next spread) is only ever read.
    """

    depth: int = 0
    selections: int = 0
    aliases: int = 0
    #: Leaf fields selected directly on the object (its cost comes from their number).
    leaves: int = 0
    cost: int = 0
    fields: int = 0
    calls: int = 0
    #: Whether a field may scan upstream pages for a filter or a lookup (the request's scan
    #: budget then adds its pages once, `resolvers/scanning.py`).
    scans: bool = False

    def add(self, other: Figures, factor: int = 1) -> None:
        """Add sibling selections, on `factor` instances each: the response figures grow by
        the factor, the document's do not."""
        if other.depth > self.depth:
            self.depth = other.depth
        self.selections += other.selections
        self.aliases += other.aliases
        self.leaves += other.leaves * factor
        self.cost += other.cost * factor
        self.fields += other.fields * factor
        self.calls += other.calls * factor
        self.scans = self.scans or other.scans
