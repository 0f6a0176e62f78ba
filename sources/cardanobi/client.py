"""The CardanoBI client: one method per endpoint we use, each returning typed records.

Every call carries `Authorization: Bearer <token>` and `Client-Api-Key: <api key>`, which
CardanoBI's gateway demands on every `/api/...` path: the requests carry `CardanoBIAuth`
(`auth.py`), whose flow the upstream's auth layer runs only when a request goes to the API, and
which fetches the token from the identity server's own upstream (`identity`).

CardanoBI answers 404 where others answer an empty list: for the tokens of an account with none
(or an unknown one, or a page past the end) and for an unknown account or asset. The client turns
those into an empty page or `None` (UPSTREAMS.md, "Contract decisions" 2). All other statuses map
through `error_for_status`, which needs no body, so the gateway's HTML 402/429 pages work.

The reads here are public on-chain data, so every `_get` is marked cacheable: its 2xx answers
are shared through the cache of public reads for their TTL (keyed without the bearer or the API
key) and concurrent identical reads share one call; each request carries its `parse`, so an answer
found malformed is never kept. The token call (`auth.py`) never is cacheable.
Records carry the time CardanoBI answered (`fetched_at`), which a cached answer keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from sources.cardanobi.auth import AccessTokenCache, CardanoBIAuth
from sources.cardanobi.records import AccountAsset, AccountAssetsPage, AccountInfo, AssetDetails
from sources.http import HttpUpstream, UpstreamRequest, UpstreamResponse, path_segment
from sources.parsing import JsonObject, expect_list, expect_object

__all__ = ["MAX_PAGE_SIZE", "ORDERS", "CardanoBIClient"]

MAX_PAGE_SIZE = 100
"""CardanoBI's largest page; it clamps larger sizes silently, so the client refuses them."""
ORDERS = ("asc", "desc")
INT64_MAX = 2**63 - 1

_POLICY_HEX = re.compile(r"[0-9a-f]{56}")
# "asset1" + 32 data characters (20 bytes) + 6 checksum characters, bech32 alphabet.
_FINGERPRINT = re.compile(r"asset1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{38}")

T = TypeVar("T")


class CardanoBIClient:
    """CardanoBI's core API (`http`), authenticated with the server's own client credentials
    through its identity server (`identity`, whose base URL is the token endpoint)."""

    def __init__(
        self, http: HttpUpstream, *, identity: HttpUpstream, api_key: str, api_secret: str
    ) -> None:
        self._http = http
        tokens = AccessTokenCache(identity, api_key=api_key, api_secret=api_secret)
        self._auth = CardanoBIAuth(tokens, api_key)

    def __repr__(self) -> str:
        # Neither the credentials nor the URL (which may carry user:password) belong in a repr.
        return f"<CardanoBIClient for {self._http.source.upstream}>"

    async def account_assets(
        self, stake_address: str, *, page_no: int, page_size: int, order: str = "asc"
    ) -> AccountAssetsPage:
        """One page of the native tokens `stake_address` holds, ordered by fingerprint.

        An empty page when CardanoBI answers 404 (no tokens, or past the last page).
        """
        if page_no < 1:
            raise ValueError(f"page_no counts from 1, not {page_no}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {page_size}")
        if order not in ORDERS:
            raise ValueError(f"order must be 'asc' or 'desc', not {order!r}")
        return await self._get(
            f"/api/core/accounts/{path_segment(stake_address)}/assets",
            params={"page_no": str(page_no), "page_size": str(page_size), "order": order},
            endpoint="GET /api/core/accounts/{stake_address}/assets",
            parse=partial(_assets_page, stake_address, page_no, page_size),
        )

    async def account(self, stake_address: str) -> AccountInfo | None:
        """The ADA side of `stake_address`; `None` when CardanoBI does not know it."""
        return await self._get(
            f"/api/core/accounts/{path_segment(stake_address)}",
            endpoint="GET /api/core/accounts/{stake_address}",
            parse=partial(_account, stake_address),
        )

    async def asset(self, fingerprint: str) -> AssetDetails | None:
        """One native token by CIP-14 fingerprint; `None` when CardanoBI does not know it."""
        return await self._get(
            f"/api/core/assets/{path_segment(fingerprint)}",
            endpoint="GET /api/core/assets/{fingerprint}",
            parse=partial(_asset, fingerprint),
        )

    async def _get(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        endpoint: str,
        parse: Callable[[UpstreamResponse], T],
    ) -> T:
        """A public read: 404 is an answer (CardanoBI's "none"), the rest maps by status."""
        request = UpstreamRequest(
            "GET",
            path,
            params=params,
            accept=(200, 404),
            endpoint=endpoint,
            cacheable=True,
            auth=self._auth,
            parse=parse,
        )
        return await self._http.send(request)


def _assets_page(
    stake_address: str, page_no: int, page_size: int, response: UpstreamResponse
) -> AccountAssetsPage:
    if response.status == 404:
        return AccountAssetsPage((), page_no, page_size, fetched_at=response.read_at)
    where = f"the tokens of {stake_address}"
    items = expect_list(response.source, response.json(), where)
    assets = tuple(
        _account_asset(expect_object(response.source, item, f"{where}[{index}]"))
        for index, item in enumerate(items)
    )
    return AccountAssetsPage(assets, page_no, page_size, fetched_at=response.read_at)


def _account(stake_address: str, response: UpstreamResponse) -> AccountInfo | None:
    if response.status == 404:
        return None
    body = expect_object(response.source, response.json(), f"the account {stake_address}")
    answered = body.opt_string("stake_address")
    if answered is not None and answered != stake_address:
        raise body.bad("the account answered is not the account asked for")
    return AccountInfo(
        stake_address=stake_address,
        total_balance=_whole(body, "total_balance"),
        is_registered=body.opt_boolean("is_registered"),
        pool_id=body.opt_string("pool_id"),
        fetched_at=response.read_at,
    )


def _asset(fingerprint: str, response: UpstreamResponse) -> AssetDetails | None:
    if response.status == 404:
        return None
    body = expect_object(response.source, response.json(), f"the asset {fingerprint}")
    return AssetDetails(
        fingerprint=_fingerprint(body),
        policy_hex=_policy_hex(body),
        name=body.opt_string("name") or "",
        total_supply=_whole(body, "total_supply"),
    )


def _account_asset(item: JsonObject) -> AccountAsset:
    return AccountAsset(
        policy_hex=_policy_hex(item),
        fingerprint=_fingerprint(item),
        # CardanoBI writes a null name for a token without one: it is the empty name.
        name=item.opt_string("name") or "",
        quantity=item.integer("quantity", maximum=INT64_MAX),
    )


def _policy_hex(item: JsonObject) -> str:
    value = item.string("policy_hex").lower()
    if not _POLICY_HEX.fullmatch(value):
        raise item.bad("field 'policy_hex' is not 56 hex characters")
    return value


def _fingerprint(item: JsonObject) -> str:
    # The shape is checked here, per item; the checksum is not (decoding bech32 in Python for
    # every token of every page was the client's main cost). Whoever relies on a fingerprint's
    # meaning recomputes it from policy and name (CIP-14), which is a stronger check.
    value = item.string("fingerprint").lower()
    if not _FINGERPRINT.fullmatch(value):
        raise item.bad("field 'fingerprint' is not a CIP-14 asset fingerprint")
    return value


def _whole(item: JsonObject, key: str) -> int:
    """A non-negative int64 amount. The OpenAPI file types lovelace and supplies as doubles,
    so an integral JSON number written with a fraction (`5.0`) is taken as well.

    The range is checked on the `Decimal`, before `int()`: `int(Decimal("1E+3000000"))` blocks
    the event loop for minutes, and the value is not repeated in the message for the same reason.
    """
    value: Any = item.raw(key)
    if isinstance(value, Decimal) and value.is_finite():
        if not 0 <= value <= INT64_MAX:
            raise item.bad(f"field {key!r} is outside 0..{INT64_MAX}")
        if value == value.to_integral_value():
            return int(value)
    return item.integer(key, maximum=INT64_MAX)
