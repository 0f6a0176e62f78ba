"""`AssetHolding`: how much of one asset one account holds, exactly."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from resolvers.holding_query import HoldingQuery
from resolvers.nodes import resolve_node
from resolvers.records import HoldingRecord
from schema.asset import Asset
from schema.enums import AssetKind
from schema.node import Node
from schema.provider import Provider
from schema.scalars import BigInt
from schema.served import served_as
from schema.soft import Info

if TYPE_CHECKING:
    from schema.account import Account

__all__ = ["AssetHolding", "HoldingFilter"]


@strawberry.input(description="Narrows a holdings list; every given condition must hold.")
class HoldingFilter:
    symbols: list[str] | None = strawberry.field(
        default=None,
        description="Asset symbols (Calico `asset_symbols`, sent as given; matched locally "
        "and case-insensitively for other sources).",
    )
    providers: list[str] | None = strawberry.field(
        default=None, description="Provider slugs (Calico `provider_ids`)."
    )
    kinds: list[AssetKind] | None = strawberry.field(
        default=None, description="Only holdings of assets of these kinds."
    )
    min_value_usd: Decimal | None = strawberry.field(
        default=None,
        description="Only holdings whose `valueUsd` is at least this; a holding without a "
        "value never matches.",
    )
    hide_zero: bool | None = strawberry.field(
        default=None, description="When true, leave out holdings whose amount is zero."
    )

    def query(self) -> HoldingQuery:
        """The checked filter (bad values are refused naming them)."""
        return HoldingQuery.of(
            self.symbols,
            self.providers,
            kinds=self.kinds,
            min_value_usd=self.min_value_usd,
            hide_zero=self.hide_zero,
        )


@strawberry.federation.type(
    keys=["id"], description="How much of one asset one account holds, exactly."
)
class AssetHolding(Node):
    id: strawberry.ID = strawberry.field(description="Global id of this holding.")
    account: Annotated[Account, strawberry.lazy("schema.account")] = strawberry.field(
        description="The account that holds it."
    )
    asset: Asset = strawberry.field(description="What is held.")
    amount: Decimal = strawberry.field(
        description="Quantity in whole units: rawAmount / 10^decimals when decimals are known."
    )
    raw_amount: BigInt | None = strawberry.field(
        description="Quantity in base units, where the source counts in integers "
        "(Algorand, Cardano)."
    )
    staked_amount: Decimal | None = strawberry.field(
        description="Part of the holding that is staked, where the source says (Calico)."
    )
    is_frozen: bool | None = strawberry.field(
        description="Whether the holding is frozen (Algorand ASAs)."
    )
    price_usd: Decimal | None = strawberry.field(
        description="Price of one whole unit in US dollars, as the source reported it."
    )
    value_usd: Decimal | None = strawberry.field(
        description="Value of `amount` in US dollars: the source's market value, or amount * "
        "priceUsd computed exactly."
    )
    provider: Provider | None = strawberry.field(
        description="Where the holding is kept: the exchange, wallet or chain."
    )
    wallet_address: str | None = strawberry.field(
        description="The address holding it: the on-chain account, or the (redacted) wallet "
        "address a custodial source reports."
    )
    fetched_at: datetime | None = strawberry.field(
        description="When the data was read: the source's own timestamp where it gives one "
        "(Calico), otherwise when the graph received the upstream's answer."
    )
    round: BigInt | None = strawberry.field(
        description="The Algorand round the holding was read at (algod's `round`); null for "
        "other sources."
    )

    @classmethod
    def of(cls, record: HoldingRecord) -> AssetHolding:
        """The record as this type: served as it is, no copy (its attributes are the fields;
        its `account`, `asset` and `provider` are records served as theirs)."""
        return cast("AssetHolding", record)

    is_type_of = served_as(HoldingRecord)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> AssetHolding | None:
        record = await resolve_node(info.context, id)
        return cls.of(record) if isinstance(record, HoldingRecord) else None
