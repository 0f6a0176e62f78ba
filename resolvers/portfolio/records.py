"""What the portfolio resolvers return: frozen records the schema maps onto `Portfolio`.

Every amount, price and value is an exact `Decimal`; nothing here is rounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from resolvers.portfolio.asset_identity import AssetIdentity
from resolvers.records import AccountRecord, AssetRecord, HoldingRecord
from sources import Source

__all__ = [
    "AssetTotalRecord",
    "ChainTotalRecord",
    "GroupTotal",
    "PortfolioRecord",
    "PriceOrigin",
    "SourceProblem",
    "SourceTotalRecord",
    "ValuedHolding",
]


class PriceOrigin(StrEnum):
    """Where a holding's price in the portfolio came from."""

    SOURCE = "SOURCE"
    """The holding's own source reported it (Calico `price_in_usd`, Mesh `lastPrice` or
    `marketValue`)."""
    CARRIED = "CARRIED"
    """Another holding of the same asset identity reported it."""


@dataclass(frozen=True, slots=True)
class ValuedHolding:
    """One holding with the value the portfolio gives it (None: unvalued, left out of totals)."""

    holding: HoldingRecord
    identity: AssetIdentity
    price_usd: Decimal | None = None
    value_usd: Decimal | None = None
    origin: PriceOrigin | None = None


@dataclass(frozen=True, slots=True)
class AssetTotalRecord:
    """Every holding of one asset identity, summed."""

    identity: AssetIdentity
    asset: AssetRecord
    """A representative: the holding's asset whose CAIP-19 is the identity's, else the first."""
    amount: Decimal
    price_usd: Decimal | None
    """The reference price (the one carried to holdings without their own)."""
    value_usd: Decimal | None
    """The sum of the valued holdings' values; None when none is valued."""
    holdings: tuple[ValuedHolding, ...]


@dataclass(frozen=True, slots=True)
class GroupTotal:
    """Value and counts over a group of holdings."""

    value_usd: Decimal
    holdings_count: int
    valued_holdings_count: int
    unvalued_holdings_count: int


@dataclass(frozen=True, slots=True)
class SourceTotalRecord:
    source: Source
    total: GroupTotal
    complete: bool
    """False when something of this source is missing (see the portfolio's problems)."""


@dataclass(frozen=True, slots=True)
class ChainTotalRecord:
    chain_id: str | None
    total: GroupTotal


@dataclass(frozen=True, slots=True)
class SourceProblem:
    """What is missing from the portfolio: a source (or one of its accounts or providers) that
    failed or was cut short. The error is translated for clients in `schema/errors.py`."""

    source: Source
    error: Exception
    account: AccountRecord | None = None


@dataclass(frozen=True, slots=True)
class PortfolioRecord:
    """One answer across every account asked."""

    accounts: tuple[AccountRecord, ...]
    totals: tuple[AssetTotalRecord, ...]
    """One per identity, by identity key."""
    total: GroupTotal
    by_source: tuple[SourceTotalRecord, ...]
    by_chain: tuple[ChainTotalRecord, ...]
    as_of: datetime | None
    """The oldest `fetched_at` among the holdings; None when there are none."""
    problems: tuple[SourceProblem, ...]
    binding: str
    """Names the set of accounts (and viewer): `byAsset` cursors are bound to it."""
