"""Mesh's aggregated portfolio as typed, exact records (UPSTREAMS.md §4.3).

Mesh writes every amount as a JSON double; the body is decoded with `parse_float=Decimal`, so
`0.260325` arrives here as `Decimal("0.260325")` and every record field keeps it digit for digit.
Each record is built through `JsonObject`, so a wrong shape (a missing amount, a string where a
number belongs, a negative quantity, an absurd exponent) becomes one `UpstreamBadResponse`, never
a `KeyError`. Amounts, cost bases, market values, prices and portfolio percentages cannot be
negative (`minimum=0`); returns and performance can.
Mesh's nullable lists (`equityPositions: null`) become empty tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sources.parsing import JsonObject

__all__ = [
    "CRYPTOCURRENCY",
    "EMPTY_PORTFOLIO",
    "EQUITY",
    "Distribution",
    "NftPosition",
    "Portfolio",
    "Position",
]

#: `Position.kind` values: which list of the portfolio the position came from.
EQUITY = "EQUITY"
CRYPTOCURRENCY = "CRYPTOCURRENCY"


@dataclass(frozen=True, slots=True)
class Distribution:
    """Where part of a self-custody position sits: a CAIP-2 network and an address."""

    caip_network_id: str | None
    address: str | None
    amount: Decimal

    @classmethod
    def from_json(cls, obj: JsonObject) -> Distribution:
        return cls(
            caip_network_id=obj.opt_string("caipNetworkId"),
            address=obj.opt_string("address"),
            amount=obj.decimal("amount", minimum=0),
        )


@dataclass(frozen=True, slots=True)
class Position:
    """One equity or cryptocurrency position with its market values (`PositionWithReturn`).

    Prices and values are in USD; `cost_basis` is per unit, as Mesh reports it. Returns and
    percentages may be negative.
    """

    kind: str
    symbol: str | None
    name: str | None
    company_name: str | None
    amount: Decimal
    cost_basis: Decimal | None
    market_value: Decimal | None
    last_price: Decimal | None
    portfolio_percentage: Decimal | None
    total_return: Decimal | None
    return_percentage: Decimal | None
    total_daily_return: Decimal | None
    daily_return_percentage: Decimal | None
    distribution: tuple[Distribution, ...]

    @classmethod
    def from_json(cls, obj: JsonObject, kind: str) -> Position:
        return cls(
            kind=kind,
            symbol=obj.opt_string("symbol"),
            name=obj.opt_string("name"),
            company_name=obj.opt_string("companyName"),
            amount=obj.decimal("amount", minimum=0),
            cost_basis=obj.opt_decimal("costBasis", minimum=0),
            market_value=obj.opt_decimal("marketValue", minimum=0),
            last_price=obj.opt_decimal("lastPrice", minimum=0),
            portfolio_percentage=obj.opt_decimal("portfolioPercentage", minimum=0),
            total_return=obj.opt_decimal("totalReturn"),
            return_percentage=obj.opt_decimal("returnPercentage"),
            total_daily_return=obj.opt_decimal("totalDailyReturn"),
            daily_return_percentage=obj.opt_decimal("dailyReturnPercentage"),
            distribution=tuple(
                Distribution.from_json(item) for item in obj.objects("distribution")
            ),
        )


@dataclass(frozen=True, slots=True)
class NftPosition:
    """One NFT holding with its market value (the fields of `NftPositionWithMarketValues`
    the graph uses)."""

    amount: Decimal
    name: str | None
    contract_address: str | None
    token_id: str | None
    contract_type: str | None
    contract_symbol: str | None
    blockchain: str | None
    cost_basis: Decimal | None
    market_value: Decimal | None
    portfolio_percentage: Decimal | None
    image_url: str | None

    @classmethod
    def from_json(cls, obj: JsonObject) -> NftPosition:
        return cls(
            amount=obj.decimal("amount", minimum=0),
            name=obj.opt_string("name"),
            contract_address=obj.opt_string("contractAddress"),
            token_id=obj.opt_string("tokenId"),
            contract_type=obj.opt_string("contractType"),
            contract_symbol=obj.opt_string("contractSymbol"),
            blockchain=obj.opt_string("blockchain"),
            cost_basis=obj.opt_decimal("costBasis", minimum=0),
            market_value=obj.opt_decimal("marketValue", minimum=0),
            portfolio_percentage=obj.opt_decimal("portfolioPercentage", minimum=0),
            image_url=obj.opt_string("imageUrl"),
        )


@dataclass(frozen=True, slots=True)
class Portfolio:
    """One end user's aggregated portfolio across every connected integration
    (`B2BPortfolioModel`); values in USD."""

    cost_basis: Decimal | None
    performance: Decimal | None
    equities_value: Decimal
    cryptocurrencies_value: Decimal
    nfts_value: Decimal
    equity_positions: tuple[Position, ...]
    cryptocurrency_positions: tuple[Position, ...]
    nft_positions: tuple[NftPosition, ...]
    fetched_at: datetime | None = None
    """When Mesh answered (the client sets it from the answer's `read_at`)."""

    @classmethod
    def from_json(cls, obj: JsonObject) -> Portfolio:
        return cls(
            cost_basis=obj.opt_decimal("portfolioCostBasis", minimum=0),
            performance=obj.opt_decimal("actualPortfolioPerformance"),
            equities_value=obj.decimal("equitiesValue", minimum=0),
            cryptocurrencies_value=obj.decimal("cryptocurrenciesValue", minimum=0),
            nfts_value=obj.decimal("nftsValue", minimum=0),
            equity_positions=tuple(
                Position.from_json(item, EQUITY) for item in obj.objects("equityPositions")
            ),
            cryptocurrency_positions=tuple(
                Position.from_json(item, CRYPTOCURRENCY)
                for item in obj.objects("cryptocurrencyPositions")
            ),
            nft_positions=tuple(
                NftPosition.from_json(item) for item in obj.objects("nftPositions")
            ),
        )


#: What an `ok` answer with `content: null` stands for: a user with nothing connected.
EMPTY_PORTFOLIO = Portfolio(
    cost_basis=None,
    performance=None,
    equities_value=Decimal(0),
    cryptocurrencies_value=Decimal(0),
    nfts_value=Decimal(0),
    equity_positions=(),
    cryptocurrency_positions=(),
    nft_positions=(),
)
