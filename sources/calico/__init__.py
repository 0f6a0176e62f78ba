"""Calico Platform API: one end user's holdings across connected exchanges and wallets.

`CalicoClient` calls `GET /accounts/v2/assets` and `POST /platform/v1/assets/refresh` with the
user's own access token; `CalicoLoaders` batches asset pages per GraphQL request; the records are
exact (`Decimal`) and hold no credential. The sandbox (`sources.calico.sandbox`) is imported on
its own, so using the client does not load the server side of aiohttp.
"""

from .client import CalicoClient
from .loaders import AssetsKey, CalicoLoaders
from .records import AssetPosition, AssetsPage, ProviderFailure, RefreshResult

__all__ = [
    "AssetPosition",
    "AssetsKey",
    "AssetsPage",
    "CalicoClient",
    "CalicoLoaders",
    "ProviderFailure",
    "RefreshResult",
]
