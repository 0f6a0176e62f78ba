"""What algod tells us about holdings, as typed, immutable records.

The client builds these from algod's JSON and nothing else does; resolvers and the schema read
them. Amounts, totals and ids are uint64 on the chain and stay Python `int`s here: a JS-style
double would round 18446744073709551615.
"""

from dataclasses import dataclass
from datetime import datetime

from sources.parsing import Rejected

__all__ = [
    "AccountInfo",
    "AssetHolding",
    "AssetHoldingsPage",
    "AssetInfo",
    "AssetParams",
]


@dataclass(frozen=True, slots=True)
class AssetParams:
    """The parameters of an Algorand Standard Asset the graph serves, as algod reports them
    (the others, `creator`, `url`, the managers, are not read at all)."""

    decimals: int
    """Digits after the decimal point when displaying amounts, 0..19."""
    total: int
    """Units ever minted, in base units (uint64)."""
    name: str | None
    """The printable name; None when algod omitted it (empty or not printable UTF-8)."""
    name_raw: bytes | None
    """The name's bytes (from `name-b64`, which algod sends whenever the name is not empty, and
    alone when it is not printable); None when the name is empty."""
    unit_name: str | None


@dataclass(frozen=True, slots=True)
class AssetHolding:
    """One asset an account has opted in to."""

    asset_id: int
    amount: int
    """Base units held (uint64); display value is amount / 10**decimals."""
    is_frozen: bool
    params: AssetParams | None
    """None: the asset was destroyed, so algod has no parameters to join."""


@dataclass(frozen=True, slots=True)
class AssetHoldingsPage:
    """One page of `GET /v2/accounts/{address}/assets`."""

    round: int
    entries: tuple[AssetHolding | Rejected, ...]
    """Ascending asset id, as algod returns them; a holding that could not be read is a
    `Rejected` in its place."""
    next_token: str | None
    """The `next` to send for the following page; None on the last page."""
    fetched_at: datetime | None = None
    """When the upstream answered (from the answer's `read_at`: a shared-cache hit keeps the
    time of the original read)."""

    @property
    def holdings(self) -> tuple[AssetHolding, ...]:
        """The holdings that could be read."""
        return tuple(entry for entry in self.entries if isinstance(entry, AssetHolding))


@dataclass(frozen=True, slots=True)
class AssetInfo:
    """`GET /v2/assets/{asset-id}`: an asset that exists."""

    asset_id: int
    params: AssetParams


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """`GET /v2/accounts/{address}?exclude=all`: the account without its resource lists."""

    address: str
    amount: int
    """ALGO balance in microAlgos (6 decimals)."""
    round: int
    total_assets_opted_in: int
    fetched_at: datetime | None = None
    """When the upstream answered (from the answer's `read_at`: a shared-cache hit keeps the
    time of the original read)."""
