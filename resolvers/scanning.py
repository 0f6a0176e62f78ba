"""How many upstream pages one request may read for filters and lookups the graph does itself.

A filter an upstream cannot apply (a symbol on algod or CardanoBI, a minimum value anywhere) and
a lookup an upstream has no route for (one Cardano token of an account) make the graph read page
after page until it finds what it needs. Each such scan was bounded on its own; bounded per
request, a cheap-looking query of a hundred filtered connections cannot read thousands of pages
(and spend a rate budget other users share). The pages a page of results needs anyway (`first`
items) are not drawn from it: only the extra pages a scan reads.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MAX_SCANNED_PAGES", "ScanBudget"]

MAX_SCANNED_PAGES = 50
"""Extra upstream pages one request's scans may read, all together."""


@dataclass
class ScanBudget:
    """The pages this request's scans may still read."""

    pages: int = MAX_SCANNED_PAGES

    def take(self) -> bool:
        """Spend one page; False when none is left (the scan stops there)."""
        if self.pages <= 0:
            return False
        self.pages -= 1
        return True
