"""A faithful Calico Platform API for tests, benchmarks and the embedded default.

It serves `GET /accounts/v2/assets` and `POST /platform/v1/assets/refresh` over the reference
data of `sandbox_data`, as UPSTREAMS.md §3 and the reference docs describe them:

- auth: `Authorization: Bearer <user access token>`; a missing or unknown token is 401;
- `asset_symbols` (comma list), `provider_ids` (comma list), `limit` (default 30, 1..100, else
  400), `cursor` (opaque; encodes the offset and is bound to the user and the filters: anything
  else is 400); empty values count as absent, as in Calico's own curl example
  (`?asset_symbols&limit&provider_ids&cursor`);
- symbols and provider ids match case-insensitively. That is this sandbox's choice, not
  Calico's documented behaviour (it documents none), so the client sends filters as given and
  nothing may rely on it;
- `{"page": {"next_uri": ...}, "errors": [...], "data": {"assets": [...]}}`, `next_uri`
  relative and carrying the same filters and limit, only when more remain; 206 when `errors[]`
  is not empty; numbers written as JSON numbers or strings, as each position says;
- refresh: accepted once per user per 60 s, else 429 with `Retry-After`;
- a user whose session expired (`sandbox_data.EXPIRED_USERS`, `sandbox-calico-dave`) gets 603
  "Authentication Failed" on every request: Calico's docs list its end-user codes 601 Customer
  Not Found, 602 Customer Not Authorized and 603 Authentication Failed in the HTTP status
  column, so the fault API takes statuses up to 699 too.

Every error body has one shape (Calico's `CalicoErrorResponse` is undocumented):
`{"error": {"code": "...", "message": "..."}}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import struct
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from sources.sandboxing import Sandbox, json_response
from sources.source import Source

from . import sandbox_data
from .client import ASSETS_PATH, MAX_LIMIT, REFRESH_PATH
from .holding_changes import PositionChanges, change_route
from .sandbox_data import EXPIRED_USERS, AssetData, failures_of

__all__ = [
    "DEFAULT_LIMIT",
    "REFRESH_INTERVAL_SECONDS",
    "SANDBOX_TOKENS",
    "CalicoSandbox",
]

SANDBOX_TOKENS = {
    "sandbox-calico-alice": "alice",
    "sandbox-calico-bob": "bob",
    "sandbox-calico-dave": "dave",
    **{f"sandbox-calico-{user}": user for user in sandbox_data.GENERATED_USERS},
}
"""Access token -> sandbox user (the reference users, then the generated ones)."""

DEFAULT_LIMIT = 30
REFRESH_INTERVAL_SECONDS = 60

_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    429: "rate_limited",
    500: "internal_error",
    501: "not_implemented",
    503: "service_unavailable",
    601: "customer_not_found",
    602: "customer_not_authorized",
    603: "authentication_failed",
}
_END_USER_MESSAGES = {
    601: "Customer Not Found",
    602: "Customer Not Authorized",
    603: "Authentication Failed: the user must re-authenticate",
}


class CalicoSandbox(Sandbox):
    """Calico's assets and refresh endpoints over `sandbox_data`.

    `clock` (monotonic seconds) paces refreshes; `next_uri_base` (e.g. `https://elsewhere`)
    makes `page.next_uri` absolute on that host, which Calico may do and a client must not
    follow.
    """

    source = Source.CALICO
    fault_statuses = range(100, 700)

    def __init__(
        self, *, clock: Callable[[], float] = time.monotonic, next_uri_base: str = ""
    ) -> None:
        self._clock = clock
        self._next_uri_base = next_uri_base.rstrip("/")
        self._refreshed: dict[str, float] = {}
        #: What tests changed of the users' positions (`holding_changes.py`).
        self.changes = PositionChanges()

    def routes(self) -> Iterable[web.RouteDef]:
        return [web.get(ASSETS_PATH, self._assets), web.post(REFRESH_PATH, self._refresh)]

    def control_routes(self) -> Iterable[web.RouteDef]:
        async def change(request: web.Request) -> web.Response:
            return await change_route(self.changes, request)

        return [web.post("/_sandbox/holdings", change)]

    def reset(self) -> None:
        self._refreshed.clear()
        self.changes.reset()

    def error_response(self, status: int) -> web.Response:
        return _error(status, _END_USER_MESSAGES.get(status, f"sandbox fault: HTTP {status}"))

    def malformed_response(self, request: web.Request) -> web.Response:
        if request.path == REFRESH_PATH:
            return json_response({"data": {"response": "yes"}, "errors": []})
        # `data.assets` an object, and an amount that is no number.
        asset = {"asset_symbol": "BTC", "asset_holdings": "lots", "provider_id": "coinbase"}
        return json_response({"page": {}, "errors": [], "data": {"assets": asset}})

    async def _assets(self, request: web.Request) -> web.Response:
        user = _user_of(request)
        if user is None:
            return _unauthorized()
        if user in EXPIRED_USERS:
            return self.error_response(603)
        try:
            query = _AssetsQuery.of(request, user)
        except _BadRequest as exc:
            return _error(400, str(exc))
        positions = [asset for asset in self.changes.assets_of(user) if query.selects(asset)]
        try:
            offset = query.offset(len(positions))
        except _BadRequest as exc:
            return _error(400, str(exc))
        end = offset + query.limit
        failures = [
            {"provider_id": provider_id, "cause": cause}
            for provider_id, cause in sorted(failures_of(user).items())
            if not query.providers or provider_id in query.providers
        ]
        page: dict[str, str] = {}
        if end < len(positions):
            page["next_uri"] = self._next_uri_base + query.next_uri(end)
        body = {
            "page": page,
            "errors": failures,
            "data": {"assets": [_asset_json(asset) for asset in positions[offset:end]]},
        }
        return json_response(body, status=206 if failures else 200)

    async def _refresh(self, request: web.Request) -> web.Response:
        user = _user_of(request)
        if user is None:
            return _unauthorized()
        if user in EXPIRED_USERS:
            return self.error_response(603)
        now = self._clock()
        last = self._refreshed.get(user)
        if last is not None and now - last < REFRESH_INTERVAL_SECONDS:
            wait = max(1, math.ceil(REFRESH_INTERVAL_SECONDS - (now - last)))
            response = _error(
                429, f"assets were refreshed less than a minute ago; retry in {wait} s"
            )
            response.headers["Retry-After"] = str(wait)
            return response
        self._refreshed[user] = now
        return json_response({"data": {"response": True}, "errors": []})


class _BadRequest(Exception):
    """A parameter Calico would refuse; the message says which and why."""


class _AssetsQuery:
    """The parsed query of one assets request, bound to its user."""

    __slots__ = ("cursor", "limit", "providers", "symbols", "user")

    def __init__(
        self,
        user: str,
        symbols: tuple[str, ...],
        providers: tuple[str, ...],
        limit: int,
        cursor: str | None,
    ) -> None:
        self.user = user
        self.symbols = symbols
        self.providers = providers
        self.limit = limit
        self.cursor = cursor

    @classmethod
    def of(cls, request: web.Request, user: str) -> _AssetsQuery:
        query = request.query
        return cls(
            user,
            _comma_list(query.get("asset_symbols", ""), str.upper),
            _comma_list(query.get("provider_ids", ""), str.lower),
            _limit(query.get("limit", "")),
            query.get("cursor") or None,
        )

    def selects(self, asset: AssetData) -> bool:
        return (not self.symbols or asset.asset_symbol.upper() in self.symbols) and (
            not self.providers or asset.provider_id in self.providers
        )

    def _scope(self) -> bytes:
        """What a cursor is bound to: the user and the filters (not the page size)."""
        text = f"{self.user}|{','.join(self.symbols)}|{','.join(self.providers)}"
        return hashlib.sha256(text.encode()).digest()[:12]

    def offset(self, total: int) -> int:
        if self.cursor is None:
            return 0
        try:
            raw = base64.b64decode(self.cursor, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == 16:
            (offset,) = struct.unpack(">I", raw[:4])
            if raw[4:] == self._scope() and 0 < offset < total:
                return int(offset)
        raise _BadRequest("cursor is not a cursor this request's filters produced")

    def next_uri(self, offset: int) -> str:
        cursor = base64.b64encode(struct.pack(">I", offset) + self._scope()).decode()
        params = {}
        if self.symbols:
            params["asset_symbols"] = ",".join(self.symbols)
        if self.providers:
            params["provider_ids"] = ",".join(self.providers)
        params["limit"] = str(self.limit)
        params["cursor"] = cursor
        return f"{ASSETS_PATH}?{urlencode(params, safe=',')}"


def _comma_list(value: str, case: Callable[[str], str]) -> tuple[str, ...]:
    return tuple(sorted({case(item.strip()) for item in value.split(",") if item.strip()}))


def _limit(value: str) -> int:
    if not value:
        return DEFAULT_LIMIT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise _BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {value!r}")
    return int(value)


def _user_of(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return SANDBOX_TOKENS.get(token.strip())


def _unauthorized() -> web.Response:
    response = _error(401, "the access token is missing, invalid or expired")
    response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _error(status: int, message: str) -> web.Response:
    code = _ERROR_CODES.get(status, "error")
    return json_response({"error": {"code": code, "message": message}}, status=status)


def _asset_json(asset: AssetData) -> dict[str, Any]:
    def number(value: Decimal | None) -> Decimal | str | None:
        if value is None or not asset.numbers_as_strings:
            return value
        return str(value)

    return {
        "asset_symbol": asset.asset_symbol,
        "asset_holdings": number(asset.asset_holdings),
        "staked_holdings": number(asset.staked_holdings),
        "time_fetched": asset.time_fetched_text,
        "provider_id": asset.provider_id,
        "price_in_usd": number(asset.price_in_usd),
        "wallet_address_redacted": asset.wallet_address_redacted,
        "chain": asset.chain,
    }
