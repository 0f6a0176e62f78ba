"""DataLoaders over `AlgodClient`, created fresh for every GraphQL request.

algod has no batch endpoints, so a batch is the distinct keys of one tick, each fetched by its
own request, all at once (under `HttpUpstream`'s concurrency cap). A key that fails gets its
exception in its own slot; the others still load. The cache lives as long as the loaders,
which is one request: `AlgodLoaders.create` is called by the request context, never shared.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiodataloader import DataLoader

from sources.algod.client import AlgodClient
from sources.algod.pages import AccountAssetsKey, widest_pages
from sources.algod.records import AccountInfo, AssetHoldingsPage, AssetInfo
from sources.batching import one_request_per_key
from sources.loader import SharedLoader

__all__ = ["AccountAssetsKey", "AlgodLoaders"]


@dataclass(frozen=True, slots=True)
class AlgodLoaders:
    """The algod loaders of one GraphQL request."""

    account_assets: DataLoader[AccountAssetsKey, AssetHoldingsPage]
    asset: DataLoader[int, AssetInfo | None]
    """None for an asset algod does not know (never created, or destroyed)."""
    account: DataLoader[str, AccountInfo]

    @classmethod
    def create(cls, client: AlgodClient) -> AlgodLoaders:
        """New loaders with empty caches; call from the running event loop."""

        async def account_assets(key: AccountAssetsKey) -> AssetHoldingsPage:
            return await client.account_assets(
                key.address, limit=key.limit, next_token=key.next_token
            )

        return cls(
            account_assets=SharedLoader(widest_pages(account_assets)),
            asset=SharedLoader(one_request_per_key(client.asset)),
            account=SharedLoader(one_request_per_key(client.account)),
        )
