"""How many upstream requests one source's fields may make: the figures a source registers, so
the query limits can estimate an operation before it runs (`schema/limits/upstream.py`).

Each figure is an upper bound for one instance of the field, read off the source's resolvers
and client with the app's settings (page sizes), and stated next to them in the source's
registration (`resolvers/sources/`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["UpstreamCalls", "pages"]


def pages(items: int, size: int) -> int:
    """Pages of `size` that `items` need (at least one: an empty list is one request too)."""
    return max(1, math.ceil(items / max(1, size)))


@dataclass(frozen=True, slots=True)
class UpstreamCalls:
    """One source's figures."""

    holdings: Callable[[int, bool, bool], int]
    """`holdings(first:, after:, filter:)` of one account: (first, resumed, filtered) ->
    requests."""
    whole_account: Callable[[int], int]
    """Every holding of one account up to a cap (the portfolio): cap -> requests."""
    positions: int = 0
    """`positions` of one account."""
    providers: int = 0
    """`providers` of one account."""
    node: int = 0
    """The dearest of its objects looked up by id (`node`, `_entities`)."""
    viewer: bool = False
    """Whether the viewer has an account at this source (`viewer.accounts`, the portfolio's
    own accounts)."""
