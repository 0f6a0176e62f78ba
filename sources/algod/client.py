"""The algod v2 REST client: one method per endpoint the graph needs.

Every request goes through `HttpUpstream` (timeouts, error translation); this module knows
algod's paths, its auth header and its JSON shapes, and turns answers into records through
`JsonObject`, so a wrong shape is an `UpstreamBadResponse`, never a `KeyError`.

Every call here is a public on-chain read, the same for every user, so each is marked
`cacheable`: shared through the cache of public reads for its short TTL and coalesced with
concurrent identical reads. Each request carries its `parse`, so an answer the client finds
malformed is never kept in the cache. Records carry the time the answer was read from algod
(`fetched_at`), which a cached answer keeps.

Callers validate addresses before calling: a 400 from algod therefore means we sent something
algod did not expect, and the default status mapping (bad response) is right for it. A 403 is a
public provider's spent quota (`provider_quota`), never a wrong token (algod's is 401).
"""

from __future__ import annotations

import base64
import dataclasses
import re

from sources.algod.provider_quota import provider_refusal
from sources.algod.records import (
    AccountInfo,
    AssetHolding,
    AssetHoldingsPage,
    AssetInfo,
    AssetParams,
)
from sources.errors import UpstreamUnavailable
from sources.http import HttpUpstream, Reading, UpstreamRequest, UpstreamResponse, path_segment
from sources.parsing import JsonObject, Rejected, expect_object, read_each

__all__ = ["AlgodClient"]

TOKEN_HEADER = "X-Algo-API-Token"
MAX_DECIMALS = 19
# A uint64 has at most 20 digits; a longer text is no asset id, and `int()` of it would be slow.
_DECIMAL_DIGITS = re.compile(r"[0-9]{1,20}")


class AlgodClient:
    """Reads holdings, assets and balances from one algod node."""

    __slots__ = ("_headers", "_http")

    def __init__(self, http: HttpUpstream, token: str) -> None:
        self._http = http
        # A node run without a token accepts requests without the header.
        self._headers = {TOKEN_HEADER: token} if token else {}

    def __repr__(self) -> str:
        # Neither the token nor the URL (which may carry user:password) belongs in a repr.
        return f"<AlgodClient for {self._http.source.upstream}>"

    async def account_assets(
        self, address: str, *, limit: int | None = None, next_token: str | None = None
    ) -> AssetHoldingsPage:
        """One page of the account's asset holdings, ascending asset id.

        `next_token` is the page's `next-token` before it; `limit` defaults to algod's 1000.
        A node that lacks the route (older than v4.6.0, or the experimental API disabled)
        answers 404: that is an `UpstreamUnavailable`, never an empty account.
        """
        params: dict[str, str] = {}
        if limit is not None:
            params["limit"] = str(limit)
        if next_token is not None:
            params["next"] = next_token
        request = UpstreamRequest(
            "GET",
            f"/v2/accounts/{path_segment(address)}/assets",
            params=params,
            headers=self._headers,
            refusal=provider_refusal,
            accept=(200, 404),
            endpoint="GET /v2/accounts/{address}/assets",
            cacheable=True,
            parse=Reading(_holdings_answer, (_token_value(next_token),)),
        )
        return await self._http.send(request)

    async def asset(self, asset_id: int) -> AssetInfo | None:
        """The asset's parameters; None when algod does not know it (never created or destroyed)."""
        request = UpstreamRequest(
            "GET",
            f"/v2/assets/{asset_id}",
            headers=self._headers,
            refusal=provider_refusal,
            accept=(200, 404),
            endpoint="GET /v2/assets/{asset_id}",
            cacheable=True,
            parse=Reading(_asset_answer, (asset_id,)),
        )
        return await self._http.send(request)

    async def account(self, address: str) -> AccountInfo:
        """The account's ALGO balance and counts, without its resource lists (`exclude=all`).

        algod answers an account it has never seen with amount 0, not 404.
        """
        request = UpstreamRequest(
            "GET",
            f"/v2/accounts/{path_segment(address)}",
            params={"exclude": "all"},
            headers=self._headers,
            refusal=provider_refusal,
            endpoint="GET /v2/accounts/{address}",
            cacheable=True,
            parse=Reading(_account_answer, (address,)),
        )
        return await self._http.send(request)


def _holdings_answer(after: int | None, response: UpstreamResponse) -> AssetHoldingsPage:
    if response.status == 404:
        source = response.source
        raise UpstreamUnavailable(
            source,
            f"{source.upstream} does not serve /v2/accounts/{{address}}/assets: the node is "
            "older than v4.6.0 or its experimental API is disabled",
            status=404,
        )
    body = expect_object(response.source, response.json(), "account assets response")
    page = _holdings_page(body, after=after)
    return dataclasses.replace(page, fetched_at=response.read_at)


def _asset_answer(asset_id: int, response: UpstreamResponse) -> AssetInfo | None:
    if response.status == 404:
        return None
    body = expect_object(response.source, response.json(), "asset response")
    index = body.integer("index")
    if index != asset_id:
        raise body.bad(f"asked for asset {asset_id}, got asset {index}")
    return AssetInfo(asset_id=index, params=_asset_params(body.obj("params")))


def _account_answer(address: str, response: UpstreamResponse) -> AccountInfo:
    body = expect_object(response.source, response.json(), "account response")
    answered = body.string("address")
    if answered != address:
        raise body.bad("the account answered is not the account asked for")
    return AccountInfo(
        address=answered,
        amount=body.integer("amount"),
        round=body.integer("round"),
        total_assets_opted_in=body.integer("total-assets-opted-in"),
        fetched_at=response.read_at,
    )


def _token_value(token: str | None) -> int | None:
    """The asset id a `next` token stands for, when it is one (it is ours to send)."""
    if token is not None and _DECIMAL_DIGITS.fullmatch(token):
        return int(token)
    return None


def _holdings_page(body: JsonObject, *, after: int | None) -> AssetHoldingsPage:
    round_ = body.integer("round")
    next_token = body.opt_string("next-token")
    # Each holding on its own: a malformed one costs itself, not the page.
    entries = read_each(
        body.source,
        body.opt_array("asset-holdings"),
        f"{body.where}.asset-holdings",
        _holding,
        lambda item: item["asset-holding"]["asset-id"],
    )
    # Paging by `next` is only sound if ids ascend strictly past the token we sent: a repeat
    # or a step back would show a holding twice or loop forever.
    previous = after
    for holding in entries:
        if isinstance(holding, Rejected):
            continue
        if previous is not None and holding.asset_id <= previous:
            raise body.bad(f"asset {holding.asset_id} is out of ascending asset-id order")
        previous = holding.asset_id
    # algod's next-token is the last returned asset id (UPSTREAMS.md §1.2), so it advances
    # past `after` exactly when the ids do, and an empty page cannot carry one. When the last
    # holding could not be read, the token must at least lie past every one that could.
    if next_token is not None:
        last = entries[-1] if entries else None
        if last is None or (
            next_token != str(last.asset_id)
            if isinstance(last, AssetHolding)
            else (_token_value(next_token) or 0) <= (previous or 0)
        ):
            raise body.bad("next-token is not the id of the page's last asset")
    return AssetHoldingsPage(round=round_, entries=entries, next_token=next_token)


def _holding(entry: JsonObject) -> AssetHolding:
    holding = entry.obj("asset-holding")
    asset_id = holding.integer("asset-id")
    amount = holding.integer("amount")
    params_json = entry.opt_obj("asset-params")
    params = _asset_params(params_json) if params_json is not None else None
    if params is not None and amount > params.total:
        raise holding.bad(f"amount {amount} of asset {asset_id} exceeds its total {params.total}")
    return AssetHolding(
        asset_id=asset_id,
        amount=amount,
        is_frozen=holding.boolean("is-frozen"),
        params=params,
    )


def _asset_params(params: JsonObject) -> AssetParams:
    # Only what the graph serves: `creator`, `url`, `*-b64` but the name's, `default-frozen`
    # and the manager addresses are never read, so an odd one costs nothing.
    return AssetParams(
        decimals=params.integer("decimals", maximum=MAX_DECIMALS),
        total=params.integer("total"),
        name=params.opt_string("name"),
        name_raw=_opt_base64(params, "name-b64"),
        unit_name=params.opt_string("unit-name"),
    )


def _opt_base64(params: JsonObject, key: str) -> bytes | None:
    value = params.opt_string(key)
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except ValueError as exc:  # binascii.Error, or a plain ValueError for non-ASCII text
        raise params.bad(f"field {key!r} is not base64") from exc
