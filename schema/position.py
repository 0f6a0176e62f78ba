"""`Position`: a valued brokerage position (Mesh) with cost basis and returns."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.records import DistributionRecord, PositionRecord
from schema.enums import PositionKind
from schema.node import Node

if TYPE_CHECKING:
    from schema.account import Account

__all__ = ["Position", "PositionDistribution"]


@strawberry.type(description="Part of a self-custody position held on one network and address.")
class PositionDistribution:
    chain_id: str | None = strawberry.field(description="CAIP-2 id of the network.")
    address: str | None = strawberry.field(description="The wallet address on that network.")
    amount: Decimal = strawberry.field(description="Quantity held there, in whole units.")

    @classmethod
    def of(cls, record: DistributionRecord) -> PositionDistribution:
        return cls(chain_id=record.chain_id, address=record.address, amount=record.amount)


@strawberry.type(description="A valued position with cost basis and returns (Mesh).")
class Position(Node):
    id: strawberry.ID = strawberry.field(description="Global id of this position.")
    account: Annotated[Account, strawberry.lazy("schema.account")] = strawberry.field(
        description="The account that holds it."
    )
    kind: PositionKind = strawberry.field(description="Equity, cryptocurrency or NFT.")
    symbol: str | None = strawberry.field(description="Ticker, when known.")
    name: str | None = strawberry.field(description="Company or asset name, when known.")
    amount: Decimal = strawberry.field(description="Quantity held, in whole units.")
    cost_basis: Decimal | None = strawberry.field(
        description="What the position cost, as the source reports it (USD)."
    )
    market_value: Decimal | None = strawberry.field(
        description="Market value: amount * last price (USD)."
    )
    last_price: Decimal | None = strawberry.field(description="Last price of one unit (USD).")
    portfolio_percentage: Decimal | None = strawberry.field(
        description="Share of the portfolio's value, in percent."
    )
    total_return: Decimal | None = strawberry.field(
        description="Return on the cost basis (USD); may be negative."
    )
    return_percentage: Decimal | None = strawberry.field(
        description="Return on the cost basis, in percent; may be negative."
    )
    total_daily_return: Decimal | None = strawberry.field(
        description="Today's return (USD); may be negative."
    )
    daily_return_percentage: Decimal | None = strawberry.field(
        description="Today's return, in percent; may be negative."
    )
    distribution: list[PositionDistribution] = strawberry.field(
        description="Where a self-custody position is held, per network and address; empty "
        "for custodial positions."
    )

    @classmethod
    def of(cls, record: PositionRecord, account: Account) -> Position:
        return cls(
            id=strawberry.ID(record.id),
            account=account,
            kind=record.kind,
            symbol=record.symbol,
            name=record.name,
            amount=record.amount,
            cost_basis=record.cost_basis,
            market_value=record.market_value,
            last_price=record.last_price,
            portfolio_percentage=record.portfolio_percentage,
            total_return=record.total_return,
            return_percentage=record.return_percentage,
            total_daily_return=record.total_daily_return,
            daily_return_percentage=record.daily_return_percentage,
            distribution=[PositionDistribution.of(d) for d in record.distribution],
        )
