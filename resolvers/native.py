"""The native coins the graph knows: each chain's own coin, by CAIP-19 (`<chain>/slip44:<n>`).

On-chain accounts hold ALGO and ADA beside their tokens; custodial sources (Calico, Mesh) hold
coins by symbol. This table is the one place that says which symbol is which chain's coin, so the
on-chain `NATIVE` holdings and the portfolio's asset identity agree. Custodial symbols map to the
coin of the chain's **main network** (an exchange's ALGO is mainnet ALGO, never testnet ALGO).
"""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.records import AssetKind, AssetRecord
from sources import Source

__all__ = ["NATIVE_COINS", "NATIVE_KEY", "NativeCoin", "native_asset"]

#: The key of a native holding within its account, and of a native asset within its source.
NATIVE_KEY = ("native",)


@dataclass(frozen=True, slots=True)
class NativeCoin:
    """A chain's own coin: its symbol, SLIP-44 coin type, decimals and main network."""

    symbol: str
    name: str
    slip44: int
    decimals: int
    mainnet: str
    """CAIP-2 id of the coin's main network."""

    def caip19(self, chain_id: str | None = None) -> str:
        """The coin's CAIP-19 id on `chain_id` (its main network by default)."""
        return f"{chain_id or self.mainnet}/slip44:{self.slip44}"


NATIVE_COINS: dict[str, NativeCoin] = {
    coin.symbol: coin
    for coin in (
        NativeCoin("ALGO", "Algo", 283, 6, "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"),
        NativeCoin("ADA", "Ada", 1815, 6, "cip34:1-764824073"),
        NativeCoin("ETH", "Ether", 60, 18, "eip155:1"),
        NativeCoin("BTC", "Bitcoin", 0, 8, "bip122:000000000019d6689c085ae165831e93"),
    )
}
"""By symbol. ALGO and ADA are held by the graph's on-chain accounts too; ETH and BTC only
custodially."""


def native_asset(source: Source, symbol: str, chain_id: str) -> AssetRecord:
    """The coin `symbol` (ALGO, ADA) as an asset of the on-chain `source` that holds it
    natively, on the configured network `chain_id`."""
    coin = NATIVE_COINS[symbol]
    return AssetRecord(
        source=source,
        key=NATIVE_KEY,
        kind=AssetKind.NATIVE,
        symbol=coin.symbol,
        name=coin.name,
        decimals=coin.decimals,
        chain_id=chain_id,
        caip19=coin.caip19(chain_id),
    )
