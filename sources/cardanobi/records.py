"""What the CardanoBI client hands upward: frozen, typed records of CardanoBI's answers.

Quantities and lovelace are `int` end to end (a float would round 45000000000000000; a quantity
is a C# `ulong`, up to 2**64 - 1). Records hold no credential, and only what the graph serves:
CardanoBI gives no token decimals, so none appear here.
"""

from dataclasses import dataclass
from datetime import datetime

from sources.parsing import Rejected

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
    """Base units, 0..2**64-1 (summed over the account's addresses)."""


@dataclass(frozen=True, slots=True)
class AccountAssetsPage:
    """One answer of the account's tokens route, asked from `skip`, at most `top` long.

    CardanoBI may or may not honour those OData options (`$skip`, `$top`, `$orderby`): when it
    does not, the answer is its first `PAGE_SIZE` tokens whatever was asked. `served` (the
    items it held, readable or not) is how a caller tells: more than `top` means the options
    were ignored.
    """

    entries: tuple[AccountAsset | Rejected, ...]
    """In the answer's order; an item that could not be read is a `Rejected` in its place.
    Empty when CardanoBI answered 404: the account holds no tokens or is unknown."""
    skip: int
    top: int
    fetched_at: datetime | None = None
    """When the upstream answered (from the answer's `read_at`: a shared-cache hit keeps the
    time of the original read)."""

    @property
    def served(self) -> int:
        return len(self.entries)

    @property
    def assets(self) -> tuple[AccountAsset, ...]:
        """The tokens that could be read."""
        return tuple(entry for entry in self.entries if isinstance(entry, AccountAsset))


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """`GET /api/core/accounts/{stake_address}`: the account's ADA side."""

    stake_address: str
    total_balance: int | None
    """Lovelace: UTxO + rewards - withdrawals; None when CardanoBI has none (`null`)."""
    fetched_at: datetime | None = None
    """When the upstream answered (from the answer's `read_at`: a shared-cache hit keeps the
    time of the original read)."""


@dataclass(frozen=True, slots=True)
class AssetDetails:
    """`GET /api/core/assets/{fingerprint}`: one native token."""

    fingerprint: str
    policy_hex: str
    name: str
    """As CardanoBI decodes it (lossy for binary names); empty when it has none."""
