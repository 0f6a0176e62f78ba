"""DataLoaders over `AlgodClient`, created fresh for every GraphQL request.

algod has no batch endpoints, so a batch is the distinct keys of one tick, each fetched by its
own request, all at once (under `HttpUpstream`'s concurrency cap). A key that fails gets its
exception in its own slot; the others still load. The cache lives as long as the loaders,
which is one request: `AlgodLoaders.create` is called by the request context, never shared.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from aiodataloader import DataLoader

from sources.algod.client import AlgodClient
from sources.algod.records import AccountInfo, AssetHoldingsPage, AssetInfo
from sources.batching import settle

__all__ = ["AccountAssetsKey", "AlgodLoaders"]

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class AccountAssetsKey:
    """One page of an account's holdings: the page after `next_token`, `limit` long."""

    address: str
    next_token: str | None
    limit: int


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
            account_assets=DataLoader(_one_request_per_key(account_assets)),
            asset=DataLoader(_one_request_per_key(client.asset)),
            account=DataLoader(_one_request_per_key(client.account)),
        )


def _one_request_per_key(
    fetch: Callable[[K], Awaitable[V]],
) -> Callable[[list[K]], Coroutine[Any, Any, list[V]]]:
    """A batch function that fetches each distinct key once, all concurrently."""

    async def batch(keys: list[K]) -> list[V]:
        # The loader's cache already folds repeated keys; folding here too keeps "one request
        # per distinct key" true even for a loader made with cache=False.
        distinct = list(dict.fromkeys(keys))
        settled = dict(zip(distinct, await settle(fetch(key) for key in distinct), strict=True))
        # aiodataloader rejects the future of a slot that holds an exception; its type hint
        # (list[ReturnT]) cannot say so, hence the cast.
        return cast("list[V]", [settled[key] for key in keys])

    return batch
