"""What resolvers return: frozen records the schema layer maps onto GraphQL types.

Every source's data is normalised into these shapes, so the schema knows nothing of upstream
JSON and the sources know nothing of GraphQL. Quantities are `Decimal` or `int`, never floats.
The schema serves these records as they are (`schema/served.py`): their attributes are the
GraphQL types' fields, and each record's global `id` is encoded once, when it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from resolvers.ids import encode_id
from sources import Source

__all__ = [
    "AccountRecord",
    "AssetKind",
    "AssetRecord",
    "DistributionRecord",
    "HoldingRecord",
    "HoldingsRead",
    "PositionKind",
    "PositionRecord",
    "ProviderKind",
    "ProviderRecord",
    "RefreshRecord",
    "ViewerRecord",
]


class AssetKind(StrEnum):
    NATIVE = "NATIVE"
    FUNGIBLE = "FUNGIBLE"
    NFT = "NFT"
    EQUITY = "EQUITY"


class PositionKind(StrEnum):
    EQUITY = "EQUITY"
    CRYPTOCURRENCY = "CRYPTOCURRENCY"
    NFT = "NFT"


class ProviderKind(StrEnum):
    EXCHANGE = "EXCHANGE"
    BROKERAGE = "BROKERAGE"
    WALLET = "WALLET"
    BLOCKCHAIN = "BLOCKCHAIN"


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An on-chain account (public) or one user's custodial account at CALICO or MESH."""

    source: Source
    address: str
    chain_id: str | None = None
    id: str = field(init=False, repr=False, compare=False)
    """The global id, encoded once when the record is made (as for every record here)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", encode_id("Account", self.source.value, self.address))

    @property
    def custodial(self) -> bool:
        return self.source.custodial


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    slug: str
    name: str
    kind: ProviderKind
    sources: tuple[Source, ...]
    id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", encode_id("Provider", self.slug))


@dataclass(frozen=True, slots=True)
class AssetRecord:
    """An asset; `key` names it within its source (ASA id, fingerprint, symbol and chain...)."""

    source: Source
    key: tuple[str, ...]
    kind: AssetKind
    symbol: str | None = None
    name: str | None = None
    decimals: int | None = None
    chain_id: str | None = None
    caip19: str | None = None
    asset_id: int | None = None
    policy_id: str | None = None
    fingerprint: str | None = None
    #: The name's bytes in hex, when the source gives them (Algorand's `name-b64`, a Cardano
    #: name that verifies): the only form of a name that is not printable text.
    name_hex: str | None = None
    id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", encode_id("Asset", self.source.value, *self.key))


@dataclass(frozen=True, slots=True)
class HoldingRecord:
    """How much of one asset one account holds; `key` names it within the account."""

    account: AccountRecord
    asset: AssetRecord
    key: tuple[str, ...]
    amount: Decimal
    raw_amount: int | None = None
    staked_amount: Decimal | None = None
    is_frozen: bool | None = None
    price_usd: Decimal | None = None
    value_usd: Decimal | None = None
    provider: ProviderRecord | None = None
    wallet_address: str | None = None
    fetched_at: datetime | None = None
    #: The algod round the holding was read at (Algorand only).
    round: int | None = None
    #: CAIP-2 networks the source places the holding on beside the asset's own chain (a Mesh
    #: self-custody position's `distribution`); asset identity reads them.
    chains: tuple[str, ...] = ()
    id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        account = self.account
        object.__setattr__(
            self, "id", encode_id("AssetHolding", account.source.value, account.address, *self.key)
        )


@dataclass(frozen=True, slots=True)
class HoldingsRead:
    """Every holding of one account, read in the source's order up to a cap.

    `truncated`: the account holds more than the cap, and only the first ones are here.
    `problems`: what is missing beside the holdings (a Calico provider that could not be read,
    an item the source sent malformed, a list the upstream cut, a page that failed).
    """

    account: AccountRecord
    holdings: tuple[HoldingRecord, ...]
    truncated: bool = False
    problems: tuple[Exception, ...] = ()


@dataclass(frozen=True, slots=True)
class DistributionRecord:
    chain_id: str | None
    address: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PositionRecord:
    """A valued position (Mesh), with cost basis and returns."""

    account: AccountRecord
    key: tuple[str, ...]
    kind: PositionKind
    amount: Decimal
    symbol: str | None = None
    name: str | None = None
    cost_basis: Decimal | None = None
    market_value: Decimal | None = None
    last_price: Decimal | None = None
    portfolio_percentage: Decimal | None = None
    total_return: Decimal | None = None
    return_percentage: Decimal | None = None
    total_daily_return: Decimal | None = None
    daily_return_percentage: Decimal | None = None
    distribution: tuple[DistributionRecord, ...] = ()
    id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        account = self.account
        object.__setattr__(
            self, "id", encode_id("Position", account.source.value, account.address, *self.key)
        )


@dataclass(frozen=True, slots=True)
class ViewerRecord:
    user_id: str


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    source: Source
    accepted: bool
    retry_after_seconds: int | None = None
    #: The viewer's account at the source (read after the refresh, never from an older copy).
    account: AccountRecord | None = None
