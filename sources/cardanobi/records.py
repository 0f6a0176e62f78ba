"""What the CardanoBI client hands upward: frozen, typed records of CardanoBI's answers.

Quantities and lovelace are `int` end to end (a float would round 45000000000000000). Records hold
no credential. CardanoBI gives no token decimals, so none appear here.
"""

from dataclasses import dataclass
from datetime import datetime

__all__ = ["AccountAsset", "AccountAssetsPage", "AccountInfo", "AssetDetails"]


@dataclass(frozen=True, slots=True)
class AccountAsset:
    """One item of `GET /api/core/accounts/{stake_address}/assets`."""

    policy_hex: str
    """56 lowercase hex characters."""
    fingerprint: str
    """CIP-14 fingerprint, `asset1...`."""
    name: str
    """As CardanoBI sends it: the raw name decoded as UTF-8 with replacement, so it may be lossy
    (a fingerprint cannot be recomputed from it) and may be empty."""
    quantity: int
    """Base units, 0..2**63-1."""


@dataclass(frozen=True, slots=True)
class AccountAssetsPage:
    """One page of an account's tokens, as asked (`page_no` from 1, `page_size`)."""

    assets: tuple[AccountAsset, ...]
    """Empty when CardanoBI answered 404: no tokens, unknown account, or past the last page."""
    page_no: int
    page_size: int
    fetched_at: datetime | None = None
    """When the upstream answered (from the answer's `read_at`: a shared-cache hit keeps the
    time of the original read)."""


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """`GET /api/core/accounts/{stake_address}`: the account's ADA side."""

    stake_address: str
    total_balance: int
    """Lovelace: UTxO + rewards - withdrawals."""
    is_registered: bool | None
    pool_id: str | None
    """Bech32 `pool1...` of the pool the account delegates to, if any."""
    fetched_at: datetime | None = None
    """When the upstream answered (from the answer's `read_at`: a shared-cache hit keeps the
    time of the original read)."""


@dataclass(frozen=True, slots=True)
class AssetDetails:
    """`GET /api/core/assets/{fingerprint}`: one native token."""

    fingerprint: str
    policy_hex: str
    name: str
    total_supply: int
    """Base units in circulation."""
