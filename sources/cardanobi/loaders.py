"""Per-request DataLoaders over the CardanoBI client.

Everything a GraphQL request asks of CardanoBI in one tick goes out as one batch: each distinct
key is exactly one upstream request, all of a batch run concurrently (the `HttpUpstream` caps how
many at once), and the answers come back in key order with a failed key's exception in its own
slot. `CardanoBILoaders.create` is called once per GraphQL request, so a loader's cache never
outlives the request that filled it.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiodataloader import DataLoader

from sources.batching import one_request_per_key
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.records import AccountAssetsPage, AccountInfo, AssetDetails
from sources.loader import SharedLoader

__all__ = ["AccountAssetsKey", "CardanoBILoaders"]


@dataclass(frozen=True, slots=True)
class AccountAssetsKey:
    """One request for an account's tokens: from `skip`, at most `top` (OData's options)."""

    stake_address: str
    skip: int
    top: int


@dataclass(frozen=True, slots=True)
class CardanoBILoaders:
    """The CardanoBI loaders of one GraphQL request."""

    account_assets: DataLoader[AccountAssetsKey, AccountAssetsPage]
    account: DataLoader[str, AccountInfo | None]
    asset: DataLoader[str, AssetDetails | None]

    @classmethod
    def create(cls, client: CardanoBIClient) -> CardanoBILoaders:
        """Fresh loaders (and fresh caches) for one request."""

        async def account_assets(key: AccountAssetsKey) -> AccountAssetsPage:
            return await client.account_assets(key.stake_address, skip=key.skip, top=key.top)

        return cls(
            account_assets=SharedLoader(one_request_per_key(account_assets)),
            account=SharedLoader(one_request_per_key(client.account)),
            asset=SharedLoader(one_request_per_key(client.asset)),
        )
