"""Asset identity: which holdings are of the same asset, so their amounts may be summed.

    on-chain asset            its CAIP-19 (`…/asa:<id>`, `…/token:<policy>.<name>`, `…/slip44:<n>`);
                              a Cardano token whose name bytes do not verify: `cip14:<fingerprint>`
    custodial coin or token   `custodial:<kind>:<symbol>`: Calico and Mesh holdings of the same
                              kind (FUNGIBLE, EQUITY) and the same symbol, exactly as written
    custodial native coin     a FUNGIBLE custodial holding whose symbol is a native coin the graph
                              knows (ALGO, ADA, ETH, BTC) is that coin (`<mainnet>/slip44:<n>`),
                              the same identity as the on-chain NATIVE holding; unless its source
                              places it only on other chains (a Calico `chain`, a Mesh
                              `distribution`, naming none of the coin's main network)
    NFT                       its CAIP-19 when known, else the one holding's own asset id
    no symbol                 the asset's own id: nothing to match it by

An on-chain token is never merged with a custodial one by name or symbol alone: only the native
coins cross between the two, by the table in `resolvers.native`.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.native import NATIVE_COINS
from resolvers.records import AssetKind, HoldingRecord

__all__ = ["AssetIdentity", "asset_identity_of"]


@dataclass(frozen=True, slots=True)
class AssetIdentity:
    """One asset as the portfolio sums it; `key` is unique and stable (the tie-breaker of
    every ordering)."""

    key: str
    kind: AssetKind
    symbol: str | None = None
    caip19: str | None = None
    chain_id: str | None = None


def asset_identity_of(holding: HoldingRecord) -> AssetIdentity:
    """The identity of what `holding` holds."""
    asset = holding.asset
    if not holding.account.custodial:
        if asset.caip19 is not None:
            caip19 = asset.caip19
            return AssetIdentity(caip19, asset.kind, asset.symbol, caip19, asset.chain_id)
        if asset.fingerprint is not None:
            key = f"cip14:{asset.fingerprint}"
            return AssetIdentity(key, asset.kind, asset.symbol, None, asset.chain_id)
        return AssetIdentity(f"asset:{asset.id}", asset.kind, asset.symbol, None, asset.chain_id)
    if asset.kind is AssetKind.NFT:
        key = asset.caip19 or f"asset:{asset.id}"
        return AssetIdentity(key, asset.kind, asset.symbol, asset.caip19, asset.chain_id)
    symbol = asset.symbol
    if not symbol:
        return AssetIdentity(f"asset:{asset.id}", asset.kind, None, None, asset.chain_id)
    coin = NATIVE_COINS.get(symbol)
    if coin is not None and asset.kind is AssetKind.FUNGIBLE:
        stated = {chain for chain in (asset.chain_id, *holding.chains) if chain}
        if not stated or coin.mainnet in stated:
            caip19 = coin.caip19()
            return AssetIdentity(caip19, AssetKind.NATIVE, symbol, caip19, coin.mainnet)
    return AssetIdentity(f"custodial:{asset.kind.value}:{symbol}", asset.kind, symbol)
