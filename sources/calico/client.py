"""The Calico Platform API client: one method per endpoint, called with the end user's token.

Calico answers for one end user at a time: every call carries that user's own access token
(`Authorization: Bearer <token>`), given per call and never stored. Requests go only through the
`HttpUpstream` configured with Calico's base URL; `page.next_uri` is read for its `cursor` and
never requested, so neither a request nor a token can be sent to a host the answer names
(contract decision 3).

Status handling beyond `HttpUpstream`'s default mapping:
- assets: 200 and 206 are successes (206 carries per-provider `errors[]`);
- refresh: 429 means "refreshed too recently", an answer (`RefreshResult(False, retry_after)`);
- both: the end-user codes 600-699 (603: the user's session expired) refuse the user, not the
  request, and Calico is up (`end_users`): `UpstreamUnauthenticated`, never retried.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import unquote, urlsplit

from sources.errors import UpstreamUnauthorized
from sources.http import HttpUpstream, UpstreamRequest, UpstreamResponse, parse_retry_after
from sources.parsing import JsonObject, expect_object, read_each
from sources.source import Source

from .end_users import end_user_refusal
from .records import AssetPosition, AssetsPage, ProviderFailure, RefreshResult

__all__ = ["ASSETS_PATH", "MAX_LIMIT", "REFRESH_PATH", "CalicoClient"]

ASSETS_PATH = "/accounts/v2/assets"
REFRESH_PATH = "/platform/v1/assets/refresh"
MAX_LIMIT = 100
"""Calico's largest page (its default is 30)."""

_SOURCE = Source.CALICO


class CalicoClient:
    """Calls Calico on behalf of one end user per call; holds no credential itself."""

    __slots__ = ("_http",)

    def __init__(self, http: HttpUpstream) -> None:
        if http.source is not _SOURCE:
            raise ValueError(f"CalicoClient needs a Calico HttpUpstream, not {http.source}")
        self._http = http

    async def assets(
        self,
        token: str,
        *,
        symbols: Sequence[str] = (),
        provider_ids: Sequence[str] = (),
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AssetsPage:
        """One page of the user's holdings, optionally filtered by symbol and provider.

        `limit` (1..100) left out means Calico's default (30); `cursor` is a previous page's
        `next_cursor`. Raises `ValueError` for arguments Calico would refuse, before any call.
        """
        request = UpstreamRequest(
            "GET",
            ASSETS_PATH,
            params=_assets_params(symbols, provider_ids, limit, cursor),
            headers=_bearer(token),
            refusal=end_user_refusal,
            accept=(200, 206),
            endpoint=f"GET {ASSETS_PATH}",
            parse=lambda response: _assets_page(response, sent_cursor=cursor),
        )
        return await self._http.send(request)

    async def refresh(self, token: str) -> RefreshResult:
        """Ask Calico to re-read the user's providers now."""
        request = UpstreamRequest(
            "POST",
            REFRESH_PATH,
            headers=_bearer(token),
            refusal=end_user_refusal,
            accept=(200, 429),
            endpoint=f"POST {REFRESH_PATH}",
            # A refresh starts work at Calico: sent once, never again on our own.
            idempotent=False,
            parse=_refresh_result,
        )
        return await self._http.send(request)


def _refresh_result(response: UpstreamResponse) -> RefreshResult:
    if response.status == 429:
        return RefreshResult(
            accepted=False,
            retry_after_seconds=parse_retry_after(response.headers.get("Retry-After")),
        )
    root = expect_object(_SOURCE, response.json(), "the refresh response")
    return RefreshResult(accepted=root.obj("data").boolean("response"), retry_after_seconds=None)


def _bearer(token: str) -> dict[str, str]:
    # An empty token, or one with spaces or control characters, can never be a valid access
    # token; refusing it here keeps it out of a header (where aiohttp would raise a foreign
    # error) and answers what Calico would answer.
    if not token or not all("!" <= char <= "~" for char in token):
        raise UpstreamUnauthorized(
            _SOURCE, "Calico needs the user's access token, and the one given is empty or malformed"
        )
    return {"Authorization": f"Bearer {token}"}


def _assets_params(
    symbols: Sequence[str], provider_ids: Sequence[str], limit: int | None, cursor: str | None
) -> dict[str, str]:
    params: dict[str, str] = {}
    if symbols:
        params["asset_symbols"] = _comma_list("symbols", symbols)
    if provider_ids:
        params["provider_ids"] = _comma_list("provider_ids", provider_ids)
    if limit is not None:
        if isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
        params["limit"] = str(limit)
    if cursor is not None:
        if not cursor:
            raise ValueError("cursor must be a previous page's next_cursor, not an empty string")
        params["cursor"] = cursor
    return params


def _comma_list(name: str, items: Sequence[str]) -> str:
    if isinstance(items, str):
        # A bare string is a Sequence[str] too; it would be sent letter by letter.
        raise TypeError(f"{name} must be a sequence of strings, not the string {items!r}")
    for item in items:
        if not item or "," in item or item != item.strip():
            raise ValueError(f"{name} item {item!r} is not a value Calico takes in a comma list")
    return ",".join(items)


def _assets_page(response: UpstreamResponse, *, sent_cursor: str | None) -> AssetsPage:
    root = expect_object(_SOURCE, response.json(), "the assets response")
    data = root.obj("data")
    # Each asset on its own: a malformed one costs itself, not the page.
    entries = read_each(
        _SOURCE, data.opt_array("assets"), f"{data.where}.assets", _position, _symbol
    )
    errors = tuple(
        ProviderFailure(provider_id=item.string("provider_id"), cause=item.string("cause"))
        for item in root.objects("errors")
    )
    page = root.opt_obj("page")
    next_cursor = _next_cursor(page) if page is not None else None
    if next_cursor is not None and next_cursor == sent_cursor:
        # Following it would ask for the same page forever.
        raise root.bad("page.next_uri points back at the page just served")
    return AssetsPage(
        entries=entries, errors=errors, next_cursor=next_cursor, fetched_at=response.read_at
    )


def _symbol(item: Any) -> object:
    return item.get("asset_symbol")


def _position(item: JsonObject) -> AssetPosition:
    return AssetPosition(
        asset_symbol=item.string("asset_symbol"),
        asset_holdings=item.decimal("asset_holdings", minimum=0),
        staked_holdings=item.opt_decimal("staked_holdings", minimum=0),
        time_fetched=_timestamp(item, "time_fetched") if item.has("time_fetched") else None,
        provider_id=item.string("provider_id"),
        price_in_usd=item.opt_decimal("price_in_usd", minimum=0),
        wallet_address_redacted=item.opt_string("wallet_address_redacted"),
        chain=item.opt_string("chain"),
    )


# re.ASCII: `\d` alone also matches other scripts' digits, which `int()` would then read.
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:[Zz]|([+-])(\d{2}):?(\d{2}))",
    re.ASCII,
)


def _timestamp(item: JsonObject, key: str) -> datetime:
    """An RFC 3339 timestamp (`Z` or an offset, any fraction) as an aware UTC datetime.

    A timestamp without an offset is refused: its instant is unknown. Fractions beyond
    microseconds are truncated (a datetime holds no more). A local time whose UTC instant falls
    outside datetime's years 1..9999 (`0001-01-01T00:00:00+01:00`) is refused too.
    """
    text = item.string(key)
    match = _TIMESTAMP.fullmatch(text.strip())
    if match is None:
        raise item.bad(f"field {key!r} is not an ISO-8601 timestamp with an offset")
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    try:
        offset = timedelta(0)
        if sign is not None:
            if int(off_m) > 59:
                raise ValueError("offset minutes beyond 59")
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            if sign == "-":
                offset = -offset
        when = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=timezone(offset),
        ).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise item.bad(f"field {key!r} is not a valid date and time") from exc
    return when


def _next_cursor(page: JsonObject) -> str | None:
    uri = page.opt_string("next_uri")
    if uri is None or not uri.strip():
        return None
    # Split by hand and unquote without turning '+' into a space: cursors are base64-like,
    # and a '+' Calico left unescaped belongs to the cursor.
    try:
        query = urlsplit(uri).query
    except ValueError as exc:  # for example an unbalanced IPv6 host: `https://[::1/x`
        raise page.bad("next_uri is not a URI") from exc
    found = [
        unquote(value)
        for name, _, value in (part.partition("=") for part in query.split("&"))
        if unquote(name) == "cursor"
    ]
    if len(found) != 1 or not found[0]:
        raise page.bad("next_uri does not carry exactly one non-empty cursor")
    return found[0]
