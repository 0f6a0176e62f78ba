"""CardanoBI: native tokens and ADA of Cardano stake addresses (UPSTREAMS.md §2).

`CardanoBIClient` (one method per endpoint, OAuth2 client-credentials token cached in
`AccessTokenCache`), its records, and the per-request `CardanoBILoaders`. The sandbox lives in
`sources.cardanobi.sandbox` (with its data in `sandbox_data`) and is not imported here, so the
client side never loads `aiohttp.web`.
"""

from sources.cardanobi.auth import AccessTokenCache
from sources.cardanobi.client import MAX_TOP, PAGE_SIZE, CardanoBIClient
from sources.cardanobi.loaders import AccountAssetsKey, CardanoBILoaders
from sources.cardanobi.records import AccountAsset, AccountAssetsPage, AccountInfo, AssetDetails

__all__ = [
    "MAX_TOP",
    "PAGE_SIZE",
    "AccessTokenCache",
    "AccountAsset",
    "AccountAssetsKey",
    "AccountAssetsPage",
    "AccountInfo",
    "AssetDetails",
    "CardanoBIClient",
    "CardanoBILoaders",
]
