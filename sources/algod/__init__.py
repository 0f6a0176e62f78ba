"""Algorand algod v2: what the graph reads about Algorand holdings.

`AlgodClient` (one method per endpoint) returns the records of `records`; `AlgodLoaders`
batches and caches them for one GraphQL request. The sandbox node lives in
`sources.algod.sandbox` (its ledger in `sources.algod.sandbox_data`) and is imported from there,
so that importing the client does not pull in the server side of aiohttp.
"""

from sources.algod.client import AlgodClient
from sources.algod.loaders import AccountAssetsKey, AlgodLoaders
from sources.algod.records import (
    AccountInfo,
    AssetHolding,
    AssetHoldingsPage,
    AssetInfo,
    AssetParams,
)

__all__ = [
    "AccountAssetsKey",
    "AccountInfo",
    "AlgodClient",
    "AlgodLoaders",
    "AssetHolding",
    "AssetHoldingsPage",
    "AssetInfo",
    "AssetParams",
]
