"""The fifth source's settings block: `FIFTH_URL` (and the resilience values every block has,
`FIFTH_TIMEOUT_SECONDS`, ...), and a page size of its own."""

from __future__ import annotations

from pydantic import Field

from sources.config import SourceConfig, flat_names

__all__ = ["FifthConfig"]


class FifthConfig(SourceConfig, alias_generator=flat_names("fifth")):
    key = "fifth"

    page_size: int = Field(50, ge=1, le=50)
    """Read by its flat name `FIFTH_PAGE_SIZE`; only here to prove that a block's own field is."""
