"""Mesh's aggregated portfolio as typed, exact records (UPSTREAMS.md §4.3).

Mesh writes every amount as a JSON double; the body is decoded with `parse_float=Decimal`, so
`0.260325` arrives here as `Decimal("0.260325")` and every record field keeps it digit for digit.
Each record is built through `JsonObject`, so a wrong shape (a missing amount, a string where a
number belongs, an absurd exponent) becomes one `UpstreamBadResponse`, never a `KeyError`.

Every number may be negative: the spec sets no minimum, and brokers pass short positions
(a negative amount and market value), negative cash and returns through. Only what the graph
serves is read: the portfolio's aggregates (`equitiesValue`, ..., `portfolioCostBasis`,
`actualPortfolioPerformance`, none of them required) and an NFT's images and sales are not read
at all, so an odd one costs nothing. One position that cannot be read costs only itself: a
`Rejected` in `Portfolio.rejected`, naming it. Mesh's nullable lists (`equityPositions: null`)
become empty tuples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sources.parsing import JsonObject, Rejected, read_each

__all__ = [
    "CRYPTOCURRENCY",
    "EMPTY_PORTFOLIO",
    "EQUITY",
    "Distribution",
    "NftPosition",
    "Portfolio",
    "Position",
]

T = TypeVar("T")

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
            amount=obj.decimal("amount"),
        )


@dataclass(frozen=True, slots=True)
class Position:
    """One equity or cryptocurrency position with its market values (`PositionWithReturn`).

    Prices and values are in USD; `cost_basis` is per unit, as Mesh reports it. Any number may
    be negative (a short position has a negative amount and market value).
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
            amount=obj.decimal("amount"),
            cost_basis=obj.opt_decimal("costBasis"),
            market_value=obj.opt_decimal("marketValue"),
            last_price=obj.opt_decimal("lastPrice"),
            portfolio_percentage=obj.opt_decimal("portfolioPercentage"),
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

    @classmethod
    def from_json(cls, obj: JsonObject) -> NftPosition:
        return cls(
            amount=obj.decimal("amount"),
            name=obj.opt_string("name"),
            contract_address=obj.opt_string("contractAddress"),
            token_id=obj.opt_string("tokenId"),
            contract_type=obj.opt_string("contractType"),
            contract_symbol=obj.opt_string("contractSymbol"),
            blockchain=obj.opt_string("blockchain"),
            cost_basis=obj.opt_decimal("costBasis"),
            market_value=obj.opt_decimal("marketValue"),
            portfolio_percentage=obj.opt_decimal("portfolioPercentage"),
        )


@dataclass(frozen=True, slots=True)
class Portfolio:
    """One end user's aggregated portfolio across every connected integration
    (`B2BPortfolioModel`), as far as the graph serves it; values in USD."""

    equity_positions: tuple[Position, ...]
    cryptocurrency_positions: tuple[Position, ...]
    nft_positions: tuple[NftPosition, ...]
    rejected: tuple[Rejected, ...] = ()
    """Positions that could not be read (each names its list and place)."""
    fetched_at: datetime | None = None
    """When Mesh answered (the client sets it from the answer's `read_at`)."""

    @classmethod
    def from_json(cls, obj: JsonObject) -> Portfolio:
        equities = _each(obj, "equityPositions", lambda item: Position.from_json(item, EQUITY))
        cryptos = _each(
            obj, "cryptocurrencyPositions", lambda item: Position.from_json(item, CRYPTOCURRENCY)
        )
        nfts = _each(obj, "nftPositions", NftPosition.from_json)
        return cls(
            equity_positions=_read(equities),
            cryptocurrency_positions=_read(cryptos),
            nft_positions=_read(nfts),
            rejected=tuple(e for e in (*equities, *cryptos, *nfts) if isinstance(e, Rejected)),
        )


def _each(obj: JsonObject, key: str, read: Callable[[JsonObject], T]) -> tuple[T | Rejected, ...]:
    return read_each(obj.source, obj.opt_array(key), f"{obj.where}.{key}", read, _symbol)


def _read(entries: tuple[T | Rejected, ...]) -> tuple[T, ...]:
    return tuple(entry for entry in entries if not isinstance(entry, Rejected))


def _symbol(item: Any) -> object:
    return item.get("symbol") or item.get("contractSymbol")


#: What an `ok` answer with `content: null` stands for: a user with nothing connected.
EMPTY_PORTFOLIO = Portfolio(equity_positions=(), cryptocurrency_positions=(), nft_positions=())
