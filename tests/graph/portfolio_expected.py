"""Expected portfolio figures, derived from the sandboxes' data modules alone.

Nothing here calls `resolvers.portfolio`: the rules of docs/portfolio.md are
applied by hand to the reference data (alice's Calico and Mesh data, the whale, the collector),
with a wide decimal context so every sum and product is exact.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data

EXACT = decimal.Context(prec=200, traps=[decimal.Inexact])
MICRO = Decimal("0.000001")

ALGORAND_CHAIN = "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"
CARDANO_CHAIN = "cip34:1-764824073"
ALGO_CAIP19 = f"{ALGORAND_CHAIN}/slip44:283"
ADA_CAIP19 = f"{CARDANO_CHAIN}/slip44:1815"
ETH_CAIP19 = "eip155:1/slip44:60"


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    result = Decimal(0)
    for value in values:
        result = EXACT.add(result, value)
    return result


def times(a: Decimal, b: Decimal) -> Decimal:
    return EXACT.multiply(a, b)


@dataclass(frozen=True)
class Part:
    """One source's share of a portfolio: its value and counts."""

    value: Decimal
    valued: int
    unvalued: int

    @property
    def count(self) -> int:
        return self.valued + self.unvalued


def calico_assets() -> list[calico_data.AssetData]:
    return calico_data.assets_of("alice")


def calico_price(symbol: str) -> Decimal:
    """The price alice's Calico reports for `symbol` (the sandbox prices a symbol alike
    wherever it is held)."""
    prices = {a.price_in_usd for a in calico_assets() if a.asset_symbol == symbol}
    assert len(prices) == 1, prices
    return prices.pop()


def calico_part() -> Part:
    assets = calico_assets()
    value = exact_sum(times(a.asset_holdings, a.price_in_usd) for a in assets)
    return Part(value, len(assets), 0)


def mesh_list(key: str) -> list[dict[str, object]]:
    """One list of alice's Mesh portfolio: equityPositions, cryptocurrencyPositions or
    nftPositions."""
    portfolio = mesh_data.portfolio_of(mesh_data.ALICE)
    assert portfolio is not None
    return list(portfolio[key])


def mesh_positions() -> list[dict[str, object]]:
    return [
        position
        for key in ("equityPositions", "cryptocurrencyPositions", "nftPositions")
        for position in mesh_list(key)
    ]


def mesh_part() -> Part:
    positions = mesh_positions()
    values = [p["marketValue"] for p in positions]
    assert all(isinstance(v, Decimal) for v in values)
    return Part(exact_sum(v for v in values if isinstance(v, Decimal)), len(values), 0)


def whale_algo() -> Decimal:
    return Decimal(algod_data.WHALE_ALGO) * MICRO


def collector_ada() -> Decimal:
    return Decimal(cardano_data.COLLECTOR_ADA) * MICRO


def whale_part(*, algo_priced: bool) -> Part:
    """ALGO (valued at custodial ALGO's price when Calico answered) and 2,500 unvalued ASAs."""
    asas = len(algod_data.account_holdings(algod_data.WHALE))
    if not algo_priced:
        return Part(Decimal(0), 0, 1 + asas)
    return Part(times(whale_algo(), calico_price("ALGO")), 1, asas)


def collector_part(*, ada_priced: bool) -> Part:
    tokens = len(cardano_data.tokens()[cardano_data.COLLECTOR])
    if not ada_priced:
        return Part(Decimal(0), 0, 1 + tokens)
    return Part(times(collector_ada(), calico_price("ADA")), 1, tokens)


def combined(*parts: Part) -> Part:
    return Part(
        exact_sum(p.value for p in parts),
        sum(p.valued for p in parts),
        sum(p.unvalued for p in parts),
    )


def calico_oldest_read() -> datetime:
    return min(a.time_fetched for a in calico_assets())


def eth_amount() -> Decimal:
    """Every ETH alice holds: Calico's (coinbase, and the metamask wallet on chain `eth`) and
    Mesh's (exchange, and self-custody with part on eip155:1): one identity, native ETH."""
    calico = [a.asset_holdings for a in calico_assets() if a.asset_symbol == "ETH"]
    mesh = [p["amount"] for p in mesh_positions() if p.get("symbol") == "ETH" and "amount" in p]
    assert len(calico) == 2 and len(mesh) == 2
    return exact_sum([*calico, *(m for m in mesh if isinstance(m, Decimal))])
