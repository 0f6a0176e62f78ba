"""What live subscriptions deliver: readings of one account, and the events made of them.

A `Reading` is one look at an account through the same resolvers as a query (its holdings, or
None when the source failed, and the problems met). An event says what changed since the event
before it on the same subscription; the first one is the current state (`initial`), with every
holding (or asset total) listed as added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from resolvers.portfolio import AssetTotalRecord, PortfolioRecord, SourceProblem
from resolvers.records import AccountRecord, HoldingRecord

__all__ = ["AssetMove", "HoldingChange", "HoldingsEvent", "PortfolioEvent", "Reading"]


@dataclass(frozen=True, slots=True)
class Reading:
    """One reading of one account."""

    account: AccountRecord
    read_at: datetime
    """When the reading ended (its holdings carry their own `fetched_at`)."""
    holdings: tuple[HoldingRecord, ...] | None
    """Every holding read, in the source's order; None when the account could not be read."""
    problems: tuple[SourceProblem, ...] = ()
    """What failed or was cut short (a failed source, a Calico provider, the holdings cap)."""
    round: int | None = None
    """The algod round the reading saw (Algorand)."""
    seq: int = 0
    """Its place in the account's feed (shared by every replica with `REDIS_URL`)."""


@dataclass(frozen=True, slots=True)
class HoldingChange:
    """One holding whose amount, price or value moved between two readings."""

    previous: HoldingRecord
    current: HoldingRecord


@dataclass(frozen=True, slots=True)
class HoldingsEvent:
    """What changed in one account's holdings since the subscriber's previous event."""

    account: AccountRecord
    initial: bool
    read_at: datetime
    round: int | None
    added: tuple[HoldingRecord, ...]
    removed: tuple[HoldingRecord, ...]
    changed: tuple[HoldingChange, ...]
    problems: tuple[SourceProblem, ...]
    holdings_count: int | None
    """How many holdings the account has now (as last read); None before any good reading."""


@dataclass(frozen=True, slots=True)
class AssetMove:
    """One asset total of a portfolio that appeared, went, or changed amount or value."""

    key: str
    previous: AssetTotalRecord | None
    current: AssetTotalRecord | None


@dataclass(frozen=True, slots=True)
class PortfolioEvent:
    """The portfolio anew, and the asset totals that moved since the previous event."""

    initial: bool
    read_at: datetime
    portfolio: PortfolioRecord
    moved: tuple[AssetMove, ...]
