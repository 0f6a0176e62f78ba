"""Per-request DataLoaders over the CardanoBI client.

Everything a GraphQL request asks of CardanoBI in one tick goes out as one batch: each distinct
key is exactly one upstream request, all of a batch run concurrently (the `HttpUpstream` caps how
many at once), and the answers come back in key order with a failed key's exception in its own
slot. `CardanoBILoaders.create` is called once per GraphQL request, so a loader's cache never
outlives the request that filled it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

from aiodataloader import DataLoader

from sources.batching import settle
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.records import AccountAssetsPage, AccountInfo, AssetDetails

__all__ = ["AccountAssetsKey", "CardanoBILoaders"]

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class AccountAssetsKey:
    """One page of one account's tokens."""

    stake_address: str
    page_no: int
    page_size: int
    order: str = "asc"


@dataclass(frozen=True, slots=True)
class CardanoBILoaders:
    """The CardanoBI loaders of one GraphQL request."""

    account_assets: DataLoader[AccountAssetsKey, AccountAssetsPage]
    account: DataLoader[str, AccountInfo | None]
    asset: DataLoader[str, AssetDetails | None]

    @classmethod
    def create(cls, client: CardanoBIClient) -> CardanoBILoaders:
        """Fresh loaders (and fresh caches) for one request."""

        async def load_account_assets(keys: list[AccountAssetsKey]) -> list[AccountAssetsPage]:
            return await _each_once(
                keys,
                lambda key: client.account_assets(
                    key.stake_address,
                    page_no=key.page_no,
                    page_size=key.page_size,
                    order=key.order,
                ),
            )

        async def load_accounts(keys: list[str]) -> list[AccountInfo | None]:
            return await _each_once(keys, client.account)

        async def load_assets(keys: list[str]) -> list[AssetDetails | None]:
            return await _each_once(keys, client.asset)

        return cls(
            account_assets=DataLoader(load_account_assets),
            account=DataLoader(load_accounts),
            asset=DataLoader(load_assets),
        )


async def _each_once(keys: Sequence[K], fetch: Callable[[K], Awaitable[V]]) -> list[V]:
    """`fetch` each distinct key once, all concurrently; answers in key order.

    A failed key's slot holds its exception, which aiodataloader hands to that key's caller
    alone. Its type hints cannot say so (they promise `list[V]`), hence the cast.
    """
    distinct = list(dict.fromkeys(keys))
    settled = dict(zip(distinct, await settle(fetch(key) for key in distinct), strict=True))
    return cast(list[V], [settled[key] for key in keys])
