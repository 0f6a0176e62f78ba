"""One portfolio across every source: the named on-chain accounts and the viewer's custodial
ones, read whole, valued, and summed per asset, source and chain.

    reading         which accounts, and every holding of each (bounded), failures kept apart
    asset_identity  which holdings are of the same asset
    valuation       a price only from a source that reports one, carried along identity
    aggregation     totals per asset, source and chain; `asOf`
    filters         which asset totals `byAsset` lists
    ordering        `byAsset` orders and keyset pages

`resolve_portfolio` returns a `PortfolioRecord`; `schema/portfolio.py` maps it.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers.context import RequestContext
from resolvers.portfolio.aggregation import (
    as_of,
    asset_totals,
    by_chain,
    by_source,
    group_total,
    value_all,
)
from resolvers.portfolio.filters import TotalQuery
from resolvers.portfolio.ordering import AssetOrder, assets_page, binding_of
from resolvers.portfolio.reading import accounts_of, read_accounts
from resolvers.portfolio.records import (
    AssetTotalRecord,
    ChainTotalRecord,
    GroupTotal,
    PortfolioRecord,
    PriceOrigin,
    SourceProblem,
    SourceTotalRecord,
    ValuedHolding,
)
from resolvers.records import AccountRecord, HoldingsRead
from sources import Source

__all__ = [
    "AssetOrder",
    "AssetTotalRecord",
    "ChainTotalRecord",
    "GroupTotal",
    "PortfolioRecord",
    "PriceOrigin",
    "SourceProblem",
    "SourceTotalRecord",
    "TotalQuery",
    "ValuedHolding",
    "accounts_of",
    "assemble_portfolio",
    "assets_page",
    "resolve_portfolio",
]


async def resolve_portfolio(
    context: RequestContext, refs: Sequence[tuple[Source, str]], include_viewer: bool
) -> PortfolioRecord:
    """The portfolio of `refs` (and the viewer's custodial accounts with `include_viewer`)."""
    accounts, problems = accounts_of(context, refs, include_viewer)
    reads, failures = await read_accounts(context, accounts)
    problems.extend(failures)
    order = context.services.sources.sources
    return assemble_portfolio(context.caller_id, accounts, reads, problems, order)


def assemble_portfolio(
    caller_id: str | None,
    accounts: Sequence[AccountRecord],
    reads: Sequence[HoldingsRead],
    problems: Sequence[SourceProblem],
    order: Sequence[Source],
) -> PortfolioRecord:
    """The portfolio of what was read of `accounts` (live subscriptions assemble it again from
    each new reading, without reading anything themselves); `order`: the app's sources."""
    holdings = [holding for read in reads for holding in read.holdings]
    items, prices = value_all(holdings, order)
    return PortfolioRecord(
        accounts=tuple(accounts),
        totals=tuple(asset_totals(items, prices)),
        total=group_total(items),
        by_source=tuple(
            by_source(
                items,
                (a.source for a in accounts),
                {problem.source for problem in problems},
                order,
            )
        ),
        by_chain=tuple(by_chain(items)),
        as_of=as_of(holdings),
        problems=tuple(problems),
        binding=binding_of(caller_id, [account.id for account in accounts]),
    )
