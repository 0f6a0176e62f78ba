"""Valuation: a price only from a source that reports one, carried only along asset identity.

    1. A holding whose source reports its value (Mesh `marketValue`) or price (Calico
       `price_in_usd`, Mesh `lastPrice`) keeps it: value = the reported value, else
       amount x price (exact).
    2. A holding without either is valued at its identity's **reference price**, if any holding
       of the same identity has a price of its own: the most recently read such holding's
       (ties: CALICO before MESH, then by holding id). So on-chain ALGO takes custodial ALGO's
       price; an ASA whose unit name is "ETH" takes nothing from custodial ETH.
    3. Otherwise the holding is unvalued: counted, never guessed, and left out of every total.

All arithmetic is exact `Decimal` (`resolvers.numbers`); nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from resolvers.numbers import multiply
from resolvers.portfolio.asset_identity import AssetIdentity
from resolvers.portfolio.records import PriceOrigin, ValuedHolding
from resolvers.records import HoldingRecord
from sources import Source

__all__ = ["reference_prices", "valued"]

_LONG_AGO = datetime.min.replace(tzinfo=UTC)


def reference_prices(
    holdings: Iterable[tuple[AssetIdentity, HoldingRecord]], sources: Sequence[Source]
) -> dict[str, Decimal]:
    """AssetIdentity key -> the price carried to that identity's unpriced holdings (ties between
    equally fresh prices go to the first of `sources`, the app's order)."""
    rank = {source: index for index, source in enumerate(sources)}
    priced: dict[str, list[HoldingRecord]] = {}
    for identity, holding in holdings:
        if holding.price_usd is not None:
            priced.setdefault(identity.key, []).append(holding)
    prices: dict[str, Decimal] = {}
    for key, candidates in priced.items():
        # `max` keeps the first of equals: sort the ties' order first.
        ordered = sorted(candidates, key=lambda h: (rank[h.account.source], h.id))
        chosen = max(ordered, key=lambda h: h.fetched_at or _LONG_AGO)
        assert chosen.price_usd is not None
        prices[key] = chosen.price_usd
    return prices


def valued(
    identity: AssetIdentity, holding: HoldingRecord, prices: Mapping[str, Decimal]
) -> ValuedHolding:
    """`holding` with its value in the portfolio, by the rules above."""
    if holding.value_usd is not None:
        return ValuedHolding(
            holding, identity, holding.price_usd, holding.value_usd, PriceOrigin.SOURCE
        )
    if holding.price_usd is not None:
        value = multiply(holding.amount, holding.price_usd)
        return ValuedHolding(holding, identity, holding.price_usd, value, PriceOrigin.SOURCE)
    price = prices.get(identity.key)
    if price is None:
        return ValuedHolding(holding, identity)
    return ValuedHolding(
        holding, identity, price, multiply(holding.amount, price), PriceOrigin.CARRIED
    )
