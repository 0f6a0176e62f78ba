"""Aggregation: valued holdings summed per asset identity, per source and per chain, and the
portfolio's freshness (`asOf`, the oldest read).

Sums are exact (`resolvers.numbers.total`). Unvalued holdings count in `unvalued…Count` and in
no value. A source's total is complete unless one of its accounts or providers is missing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from resolvers.numbers import total
from resolvers.portfolio.asset_identity import AssetIdentity, asset_identity_of
from resolvers.portfolio.records import (
    AssetTotalRecord,
    ChainTotalRecord,
    GroupTotal,
    SourceTotalRecord,
    ValuedHolding,
)
from resolvers.portfolio.valuation import reference_prices, valued
from resolvers.records import HoldingRecord
from sources import Source

__all__ = ["as_of", "asset_totals", "by_chain", "by_source", "group_total", "value_all"]


def value_all(
    holdings: Sequence[HoldingRecord], sources: Sequence[Source]
) -> tuple[list[ValuedHolding], dict[str, Decimal]]:
    """Every holding with its identity and value, in the order given, and the reference price
    of each priced identity (`sources`: the app's order of sources)."""
    identified = [(asset_identity_of(holding), holding) for holding in holdings]
    prices = reference_prices(identified, sources)
    return [valued(identity, holding, prices) for identity, holding in identified], prices


def asset_totals(
    holdings: Iterable[ValuedHolding], prices: Mapping[str, Decimal]
) -> list[AssetTotalRecord]:
    """One total per identity, by identity key; each lists its holdings in portfolio order."""
    groups: dict[str, list[ValuedHolding]] = {}
    for item in holdings:
        groups.setdefault(item.identity.key, []).append(item)
    return [_asset_total(groups[key], prices.get(key)) for key in sorted(groups)]


def _asset_total(items: list[ValuedHolding], price: Decimal | None) -> AssetTotalRecord:
    identity: AssetIdentity = items[0].identity
    representative = next(
        (
            item.holding.asset
            for item in items
            if identity.caip19 and item.holding.asset.caip19 == identity.caip19
        ),
        items[0].holding.asset,
    )
    values = [item.value_usd for item in items if item.value_usd is not None]
    return AssetTotalRecord(
        identity=identity,
        asset=representative,
        amount=total(item.holding.amount for item in items),
        price_usd=price,
        value_usd=total(values) if values else None,
        holdings=tuple(items),
    )


def group_total(items: Collection[ValuedHolding]) -> GroupTotal:
    """Value and counts of `items`."""
    values = [item.value_usd for item in items if item.value_usd is not None]
    return GroupTotal(
        value_usd=total(values),
        holdings_count=len(items),
        valued_holdings_count=len(values),
        unvalued_holdings_count=len(items) - len(values),
    )


def by_source(
    items: Iterable[ValuedHolding],
    sources: Iterable[Source],
    incomplete: Collection[Source],
    order: Sequence[Source],
) -> list[SourceTotalRecord]:
    """A total for each of `sources` (those the portfolio read), in `order` (the schema's)."""
    groups: dict[Source, list[ValuedHolding]] = {source: [] for source in sources}
    for item in items:
        groups.setdefault(item.holding.account.source, []).append(item)
    return [
        SourceTotalRecord(source, group_total(groups[source]), source not in incomplete)
        for source in order
        if source in groups
    ]


def by_chain(items: Iterable[ValuedHolding]) -> list[ChainTotalRecord]:
    """A total per chain the holdings are on (the asset's `chainId`); holdings with no chain
    (most custodial ones) last, under null."""
    groups: dict[str | None, list[ValuedHolding]] = {}
    for item in items:
        groups.setdefault(item.holding.asset.chain_id, []).append(item)
    chains = sorted(chain for chain in groups if chain is not None)
    order: list[str | None] = [*chains, None] if None in groups else list(chains)
    return [ChainTotalRecord(chain, group_total(groups[chain])) for chain in order]


def as_of(holdings: Iterable[HoldingRecord]) -> datetime | None:
    """When the oldest of the holdings' data was read."""
    times = [holding.fetched_at for holding in holdings if holding.fetched_at is not None]
    return min(times) if times else None
