"""`Portfolio`: one answer across every account, with totals per asset, source and chain, and
an honest list of what is missing (`errors`). Maps `resolvers.portfolio` records.

Failures are translated as everywhere else (`schema.errors.describe`): a `SourceError` carries
the code, message and `retryAfterSeconds` the same failure would carry as a GraphQL error, and
each is also reported as an error on the `portfolio` field unless the client reads `errors`
(`schema/soft.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.options import DEFAULT_FIRST
from resolvers.pagination import Window
from resolvers.portfolio import (
    AssetOrder,
    AssetTotalRecord,
    ChainTotalRecord,
    GroupTotal,
    PortfolioRecord,
    PriceOrigin,
    SourceTotalRecord,
    TotalQuery,
    ValuedHolding,
    assets_page,
    resolve_portfolio,
)
from schema.account import Account, After, First
from schema.asset import Asset
from schema.connections import Connection
from schema.demand import CONNECTION_SIZE
from schema.enums import AssetKind, Source
from schema.holding import AssetHolding
from schema.soft import Info, carried, report
from schema.source_error import SourceError

__all__ = [
    "AssetTotal",
    "AssetTotalFilter",
    "ChainTotal",
    "Portfolio",
    "PortfolioHolding",
    "SourceError",
    "SourceTotal",
    "portfolio_of",
]

strawberry.enum(
    AssetOrder,
    name="AssetOrder",
    description="How `Portfolio.byAsset` is ordered; ties always fall back to the asset "
    "identity key, so pages never skip or repeat an item.",
)
for _value in AssetOrder.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = {
        "VALUE_DESC": "Highest USD value first; unvalued assets last.",
        "VALUE_ASC": "Lowest USD value first; unvalued assets last.",
        "SYMBOL_ASC": "By symbol, case-insensitively; assets without a symbol last.",
    }[_value.name]

strawberry.enum(
    PriceOrigin,
    name="PriceOrigin",
    description="Where a holding's price in the portfolio came from.",
)
for _value in PriceOrigin.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = {
        "SOURCE": "The holding's own source reported its price or value.",
        "CARRIED": "Carried over from another holding of the same asset identity "
        "(e.g. on-chain ALGO valued at custodial ALGO's price).",
    }[_value.name]


@strawberry.input(description="Narrows `Portfolio.byAsset`; every given condition must hold.")
class AssetTotalFilter:
    symbols: list[str] | None = strawberry.field(
        default=None, description="Only these symbols (case-insensitive)."
    )
    kinds: list[AssetKind] | None = strawberry.field(
        default=None,
        description="Only assets of these kinds (custodial ALGO, ADA, ETH, BTC count as NATIVE).",
    )
    min_value_usd: Decimal | None = strawberry.field(
        default=None,
        description="Only assets whose total `valueUsd` is at least this; unvalued assets "
        "never match.",
    )
    hide_zero: bool | None = strawberry.field(
        default=None, description="When true, leave out assets whose total amount is zero."
    )

    def query(self) -> TotalQuery:
        return TotalQuery.of(self.symbols, self.kinds, self.min_value_usd, self.hide_zero)


@strawberry.type(description="One holding as the portfolio values it.")
class PortfolioHolding:
    holding: AssetHolding = strawberry.field(description="The holding, as its account lists it.")
    price_usd: Decimal | None = strawberry.field(
        description="The USD price the portfolio values it at: its own, or carried from the "
        "same asset; null when unvalued."
    )
    value_usd: Decimal | None = strawberry.field(
        description="Its USD value in the portfolio, exact; null when unvalued (then left out "
        "of every total)."
    )
    price_origin: PriceOrigin | None = strawberry.field(
        description="Whether the price is the holding's own or carried; null when unvalued."
    )

    @classmethod
    def of(cls, item: ValuedHolding) -> PortfolioHolding:
        record = item.holding
        return cls(
            holding=AssetHolding.of(record),
            price_usd=item.price_usd,
            value_usd=item.value_usd,
            price_origin=item.origin,
        )


@strawberry.type(description="Every holding of one asset across the portfolio, summed.")
class AssetTotal:
    key: str = strawberry.field(
        description="The asset identity: a CAIP-19 id for on-chain assets and native coins, "
        "`custodial:<kind>:<symbol>` for custodial ones, `cip14:<fingerprint>` for Cardano "
        "tokens known by fingerprint only. Unique within the portfolio."
    )
    asset: Asset = strawberry.field(
        description="A representative asset: the one whose CAIP-19 is the identity's, else "
        "the first holding's."
    )
    kind: AssetKind = strawberry.field(description="The identity's kind.")
    symbol: str | None = strawberry.field(description="The identity's symbol, when known.")
    caip19: str | None = strawberry.field(
        description="The identity's CAIP-19 id, when it has one (custodial ALGO has "
        "algorand:…/slip44:283)."
    )
    amount: Decimal = strawberry.field(description="Sum of the holdings' amounts, exact.")
    price_usd: Decimal | None = strawberry.field(
        description="The reference USD price: the most recently read price any of these "
        "holdings' sources reported; null when none did."
    )
    value_usd: Decimal | None = strawberry.field(
        description="Sum of the valued holdings' values, exact; null when none is valued."
    )
    holdings_count: int = strawberry.field(description="How many holdings are summed.")
    holdings: list[PortfolioHolding] = strawberry.field(
        description="The holdings summed, in the portfolio's account order."
    )

    @classmethod
    def of(cls, record: AssetTotalRecord) -> AssetTotal:
        identity = record.identity
        return cls(
            key=identity.key,
            asset=Asset.of(record.asset),
            kind=identity.kind,
            symbol=identity.symbol,
            caip19=identity.caip19,
            amount=record.amount,
            price_usd=record.price_usd,
            value_usd=record.value_usd,
            holdings_count=len(record.holdings),
            holdings=[PortfolioHolding.of(item) for item in record.holdings],
        )


_VALUE = "USD value of the valued holdings, exact."
_COUNT = "How many holdings."
_VALUED = "How many holdings have a USD value."
_UNVALUED = "How many holdings have no USD value (left out of `valueUsd`)."


@strawberry.type(description="The portfolio's total at one source.")
class SourceTotal:
    source: Source = strawberry.field(description="The source.")
    value_usd: Decimal = strawberry.field(description=_VALUE)
    holdings_count: int = strawberry.field(description=_COUNT)
    valued_holdings_count: int = strawberry.field(description=_VALUED)
    unvalued_holdings_count: int = strawberry.field(description=_UNVALUED)
    complete: bool = strawberry.field(
        description="False when part of this source is missing (see `Portfolio.errors`)."
    )

    @classmethod
    def of(cls, record: SourceTotalRecord) -> SourceTotal:
        total: GroupTotal = record.total
        return cls(
            source=record.source,
            value_usd=total.value_usd,
            holdings_count=total.holdings_count,
            valued_holdings_count=total.valued_holdings_count,
            unvalued_holdings_count=total.unvalued_holdings_count,
            complete=record.complete,
        )


@strawberry.type(description="The portfolio's total on one chain.")
class ChainTotal:
    chain_id: str | None = strawberry.field(
        description="CAIP-2 id of the chain the holdings' assets are on; null for holdings "
        "with no chain (exchange and brokerage custody)."
    )
    value_usd: Decimal = strawberry.field(description=_VALUE)
    holdings_count: int = strawberry.field(description=_COUNT)
    valued_holdings_count: int = strawberry.field(description=_VALUED)
    unvalued_holdings_count: int = strawberry.field(description=_UNVALUED)

    @classmethod
    def of(cls, record: ChainTotalRecord) -> ChainTotal:
        total: GroupTotal = record.total
        return cls(
            chain_id=record.chain_id,
            value_usd=total.value_usd,
            holdings_count=total.holdings_count,
            valued_holdings_count=total.valued_holdings_count,
            unvalued_holdings_count=total.unvalued_holdings_count,
        )


@strawberry.type(
    description="One portfolio across the accounts asked and the viewer's custodial accounts: "
    "exact totals, and what is missing."
)
class Portfolio:
    accounts: list[Account] = strawberry.field(
        description="The accounts covered: those asked, then the viewer's, without repeats."
    )
    total_value_usd: Decimal = strawberry.field(
        description="USD value of every valued holding that came back, exact (no rounding); "
        "unvalued holdings and missing sources (see `errors`) are not in it."
    )
    holdings_count: int = strawberry.field(description="How many holdings came back.")
    valued_holdings_count: int = strawberry.field(description="How many have a USD value.")
    unvalued_holdings_count: int = strawberry.field(
        description="How many have no USD value: counted, never guessed."
    )
    by_source: list[SourceTotal] = strawberry.field(
        description="Totals per source read, in the `Source` enum's order."
    )
    by_chain: list[ChainTotal] = strawberry.field(
        description="Totals per chain, by chain id; holdings with no chain last."
    )
    as_of: datetime | None = strawberry.field(
        description="When the oldest data in the portfolio was read (the least recent "
        "`fetchedAt`); null when there are no holdings."
    )
    listed: strawberry.Private[list[SourceError]]
    record: strawberry.Private[PortfolioRecord]

    @strawberry.field(
        description="What is missing: each source, account or provider that failed or was "
        "cut short. Empty when the portfolio is complete. Asked for, it stands in for the "
        "GraphQL errors the same failures would add to the response."
    )
    def errors(self, info: Info) -> list[SourceError]:
        carried(info)
        return self.listed

    @classmethod
    def of(cls, record: PortfolioRecord) -> Portfolio:
        return cls(
            accounts=[Account.of(account) for account in record.accounts],
            total_value_usd=record.total.value_usd,
            holdings_count=record.total.holdings_count,
            valued_holdings_count=record.total.valued_holdings_count,
            unvalued_holdings_count=record.total.unvalued_holdings_count,
            by_source=[SourceTotal.of(item) for item in record.by_source],
            by_chain=[ChainTotal.of(item) for item in record.by_chain],
            as_of=record.as_of,
            listed=[SourceError.of(problem) for problem in record.problems],
            record=record,
        )

    @strawberry.field(
        description="One total per asset identity, one page at a time.",
        directives=[CONNECTION_SIZE],
    )
    def by_asset(
        self,
        info: Info,
        first: First = DEFAULT_FIRST,
        after: After = None,
        order_by: Annotated[
            AssetOrder, strawberry.argument(description="The order of the totals.")
        ] = AssetOrder.VALUE_DESC,
        filter: Annotated[
            AssetTotalFilter | None,
            strawberry.argument(description="Only totals matching this filter."),
        ] = None,
    ) -> Connection[AssetTotal]:
        context = info.context
        options = context.options
        window = Window.of(first, after, default=options.default_first, maximum=options.max_first)
        query = filter.query() if filter else TotalQuery()
        page = assets_page(context, self.record, window, AssetOrder(order_by), query)
        return Connection.of(page, AssetTotal.of)


async def portfolio_of(
    info: Info, refs: Sequence[tuple[Source, str]], include_viewer: bool
) -> Portfolio:
    """`Query.portfolio`: each failure is listed in `errors` and reported (and logged) as an
    error on the field, which still answers (the error is left out of the response when
    `errors` is asked)."""
    record = await resolve_portfolio(info.context, refs, include_viewer)
    report(info, [problem.error for problem in record.problems])
    return Portfolio.of(record)
