"""The CardanoBI client: one method per endpoint we use, each returning typed records.

Every call carries `Authorization: Bearer <token>` and `Client-Api-Key: <api key>`, which
CardanoBI's gateway demands on every `/api/...` path: the requests carry `CardanoBIAuth`
(`auth.py`), whose flow the upstream's auth layer runs only when a request goes to the API, and
which fetches the token from the identity server's own upstream (`identity`).

CardanoBI answers 404 where others answer an empty list: for the tokens of an account with none
(or an unknown one) and for an unknown account; an unknown asset is `[]` (the asset route answers
a list, `upstream-samples`). The client turns those into an empty page or `None`. All other
statuses map through `error_for_status`, which needs no body, so the gateway's HTML 402/429 pages
work. The tokens route has no paging of its own (it answers its first 100 by fingerprint); the
client asks with OData's `$orderby`, `$skip` and `$top`, which the service may honour, and says
what it asked beside what came back, so the caller can tell.

Only what the graph serves is read, and each token on its own: one malformed item is a
`Rejected` in its place, never a failed page.

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
from typing import Any, TypeVar

from sources.cardanobi.auth import AccessTokenCache, CardanoBIAuth
from sources.cardanobi.records import AccountAsset, AccountAssetsPage, AccountInfo, AssetDetails
from sources.http import HttpUpstream, Reading, UpstreamRequest, UpstreamResponse, path_segment
from sources.parsing import UINT64_MAX, JsonObject, expect_list, expect_object, read_each

__all__ = ["MAX_TOP", "PAGE_SIZE", "CardanoBIClient"]

PAGE_SIZE = 100
"""The most tokens the route answers (`EnableQuery(PageSize = 100)`), whatever is asked."""
MAX_TOP = 100
"""OData's `SetMaxTop(100)`: a larger `$top` is refused."""
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
        self, stake_address: str, *, skip: int = 0, top: int = MAX_TOP
    ) -> AccountAssetsPage:
        """The native tokens `stake_address` holds, by fingerprint: from `skip` on, at most
        `top`, if CardanoBI honours OData's options (else its first `PAGE_SIZE`).

        An empty page when CardanoBI answers 404 (no tokens, or an unknown account).
        """
        if skip < 0:
            raise ValueError(f"skip counts from 0, not {skip}")
        if not 1 <= top <= MAX_TOP:
            raise ValueError(f"top must be 1..{MAX_TOP}, not {top}")
        params = {"$orderby": "fingerprint", "$top": str(top)}
        if skip:
            params["$skip"] = str(skip)
        return await self._get(
            f"/api/core/accounts/{path_segment(stake_address)}/assets",
            params=params,
            endpoint="GET /api/core/accounts/{stake_address}/assets",
            parse=Reading(_assets_page, (stake_address, skip, top)),
        )

    async def account(self, stake_address: str) -> AccountInfo | None:
        """The ADA side of `stake_address`; `None` when CardanoBI does not know it."""
        return await self._get(
            f"/api/core/accounts/{path_segment(stake_address)}",
            endpoint="GET /api/core/accounts/{stake_address}",
            parse=Reading(_account, (stake_address,)),
        )

    async def asset(self, fingerprint: str) -> AssetDetails | None:
        """One native token by CIP-14 fingerprint; `None` when CardanoBI does not know it.

        The route answers a list of the rows it found (`[]` for an unknown token, never 404,
        whatever its OpenAPI file says); a 404 is still taken as unknown.
        """
        return await self._get(
            f"/api/core/assets/{path_segment(fingerprint)}",
            endpoint="GET /api/core/assets/{fingerprint}",
            parse=Reading(_asset, (fingerprint,)),
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
    stake_address: str, skip: int, top: int, response: UpstreamResponse
) -> AccountAssetsPage:
    if response.status == 404:
        return AccountAssetsPage((), skip, top, fetched_at=response.read_at)
    where = f"the tokens of {stake_address}"
    items = expect_list(response.source, response.json(), where)
    entries = read_each(
        response.source, items, where, _account_asset, lambda item: item.get("fingerprint")
    )
    return AccountAssetsPage(entries, skip, top, fetched_at=response.read_at)


def _account(stake_address: str, response: UpstreamResponse) -> AccountInfo | None:
    if response.status == 404:
        return None
    body = expect_object(response.source, response.json(), f"the account {stake_address}")
    if body.string("stake_address") != stake_address:
        raise body.bad("the account answered is not the account asked for")
    return AccountInfo(
        stake_address=stake_address,
        # The DTO's `long?`: null is an account without a balance, not a bad answer.
        total_balance=_whole(body, "total_balance") if body.has("total_balance") else None,
        fetched_at=response.read_at,
    )


def _asset(fingerprint: str, response: UpstreamResponse) -> AssetDetails | None:
    if response.status == 404:
        return None
    where = f"the asset {fingerprint}"
    rows = expect_list(response.source, response.json(), where)
    if not rows:
        return None
    # Every row is the same token (one per metadata entry of its first mint).
    body = expect_object(response.source, rows[0], f"{where}[0]")
    details = AssetDetails(
        fingerprint=_fingerprint(body),
        policy_hex=_policy_hex(body),
        name=body.opt_string("name") or "",
    )
    if details.fingerprint != fingerprint:
        raise body.bad("the asset answered is not the asset asked for")
    return details


def _account_asset(item: JsonObject) -> AccountAsset:
    return AccountAsset(
        policy_hex=_policy_hex(item),
        fingerprint=_fingerprint(item),
        # CardanoBI writes a null name for a token without one: it is the empty name.
        name=item.opt_string("name") or "",
        quantity=_whole(item, "quantity", maximum=UINT64_MAX),  # a C# `ulong`
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


def _whole(item: JsonObject, key: str, *, maximum: int = INT64_MAX) -> int:
    """A non-negative amount up to `maximum` (int64 for lovelace, uint64 for quantities). The
    OpenAPI file types amounts as doubles, so an integral JSON number written with a fraction
    (`5.0`) is taken as well.

    The range is checked on the `Decimal`, before `int()`: `int(Decimal("1E+3000000"))` blocks
    the event loop for minutes, and the value is not repeated in the message for the same reason.
    """
    value: Any = item.raw(key)
    if isinstance(value, Decimal) and value.is_finite():
        if not 0 <= value <= maximum:
            raise item.bad(f"field {key!r} is outside 0..{maximum}")
        if value == value.to_integral_value():
            return int(value)
    return item.integer(key, maximum=maximum)
