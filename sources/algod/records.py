"""What algod tells us about holdings, as typed, immutable records.

The client builds these from algod's JSON and nothing else does; resolvers and the schema read
them. Amounts, totals and ids are uint64 on the chain and stay Python `int`s here: a JS-style
double would round 18446744073709551615.
"""

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "AccountInfo",
    "AssetHolding",
    "AssetHoldingsPage",
    "AssetInfo",
    "AssetParams",
]


@dataclass(frozen=True, slots=True)
class AssetParams:
    """An Algorand Standard Asset's parameters, as algod reports them."""

    creator: str
    decimals: int
    """Digits after the decimal point when displaying amounts, 0..19."""
    total: int
    """Units ever minted, in base units (uint64)."""
    default_frozen: bool
    name: str | None
    """The printable name; None when algod omitted it (empty or not printable UTF-8)."""
    name_b64: str | None
    """The raw name bytes, base64; None when the name is empty."""
    unit_name: str | None
    unit_name_b64: str | None
    url: str | None


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
    holdings: tuple[AssetHolding, ...]
    """Ascending asset id, as algod returns them."""
    next_token: str | None
    """The `next` to send for the following page; None on the last page."""
    fetched_at: datetime | None = None
    """When the upstream answered (from the answer's `read_at`: a shared-cache hit keeps the
    time of the original read)."""


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
