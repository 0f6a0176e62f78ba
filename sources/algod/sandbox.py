"""A faithful algod v2 node over the sandbox ledger, for tests, benchmarks and offline runs.

It serves what the graph reads (UPSTREAMS.md §1.2, §1.3, §1.7), the way go-algorand does:
the `X-Algo-API-Token` check (or `Authorization: Bearer` when that header is empty), checksum
validation of addresses, `limit`/`next` paging with algod's defaults, limits and error
messages, `asset-params` and printable names omitted where algod omits them, uint64 numbers as
JSON integers, and echo's `{"message": ...}` error bodies. The order of the checks follows
go-algorand: auth, then parameter binding, then the handler's own checks.

    GET /v2/accounts/{address}/assets   paged holdings with asset params
    GET /v2/accounts/{address}          balance and counts (`exclude`, `format=json`)
    GET /v2/assets/{asset-id}           one asset's params; 404 for unknown or destroyed

In front of the node, the sandbox plays what a public algod provider adds (Nodely's free tier,
nodely.io/docs/free/policy, `upstream-samples/README.md`), as settings (`/_sandbox/settings`):

- `max_concurrency` (default 10): requests one client (one peer address) may have in flight;
  one more is answered 429 at once (Nodely: "10 concurrent calls" per IP, "429 ... exceeded
  number of requests in flight");
- `daily_quota` (default none): requests served before the quota is spent; every later one is
  answered 403 (Nodely: "403 you exceeded daily byte or request quota"). `reset` starts a new day.

Nodely's bodies for those two are not published; the sandbox sends algod's own error shape.

The ledger moves only when a test moves it (`POST /_sandbox/holdings`, `ledger_changes.py`:
amounts, opt-ins and opt-outs, and the round; every answer is at `ROUND` until then).

Deliberate limits: `format=msgpack` is refused with a 400 that says so, since nothing in this
project reads msgpack, and Nodely's 60 requests/s per IP is not played (a public node's own
choice; the concurrency cap is what a paginating client meets first).
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import hashlib
import hmac
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from http import HTTPStatus
from typing import Any

from aiohttp import web
from pydantic import Field

from sources.algod.address import encode_address
from sources.algod.ledger_changes import LedgerChanges, change_route
from sources.algod.sandbox_credentials import SANDBOX_ALGOD_TOKEN
from sources.algod.sandbox_data import (
    ROUND,
    USDC_ID,
    HoldingData,
    account_holdings,
    assets,
    created_assets,
    holdings,
    min_balance,
)
from sources.parsing import UINT64_MAX
from sources.sandboxing import Sandbox, SandboxSettings, dumps_exact, json_response
from sources.source import Source

__all__ = [
    "DEFAULT_ASSET_RESULTS",
    "MAX_API_RESOURCES_PER_ACCOUNT",
    "MAX_ASSET_RESULTS",
    "NODELY_FREE_CONCURRENCY",
    "SANDBOX_ALGOD_TOKEN",
    "AlgodSandbox",
    "AlgodSettings",
]

DEFAULT_ASSET_RESULTS = 1000
MAX_ASSET_RESULTS = 1000
MAX_API_RESOURCES_PER_ACCOUNT = 100_000
"""algod's default `MaxAPIResourcesPerAccount`: above it, `GET /v2/accounts/{address}`
without `exclude=all` answers 400 "Result limit exceeded"."""

NODELY_FREE_CONCURRENCY = 10
"""Calls one IP may have in flight on Nodely's free tier."""

_TOO_MANY_IN_FLIGHT = "too many concurrent requests"
_QUOTA_SPENT = "daily request quota exceeded"

_TOKEN_HEADER = "X-Algo-API-Token"
_BEARER = "Bearer "
_INVALID_TOKEN = "Invalid API Token"
_EXPERIMENTAL_DISABLED = (
    "/v2/accounts/{address}/assets was not enabled in the configuration file by setting the "
    "EnableExperimentalAPI to true"
)
_FAULT_MESSAGES = {
    401: _INVALID_TOKEN,
    404: "Not Found",
    500: "failed to retrieve information from the ledger",
    503: "operation not available during catchup",
}
_EXCLUDE_VALUES = {"all", "none", "created-apps-params", "created-assets-params"}
_DIGITS = re.compile(r"[0-9]+")
_ROUTES = {
    "assets": "/v2/accounts/{address}/assets",
    "account": "/v2/accounts/{address}",
    "asset": "/v2/assets/{asset_id}",
}
_KNOWN_PATHS = (
    re.compile(r"/v2/accounts/[^/]+/assets"),
    re.compile(r"/v2/accounts/[^/]+"),
    re.compile(r"/v2/assets/[^/]+"),
)

_Handler = Callable[[web.Request], web.Response]


class _Rejected(Exception):
    """Ends a handler early with algod's answer."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


def _error(status: int, message: str, data: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"message": message}
    if data is not None:
        body["data"] = data
    return json_response(body, status=status)


class AlgodSettings(SandboxSettings):
    """What a public provider in front of algod limits (defaults: Nodely's free tier)."""

    max_concurrency: int | None = Field(NODELY_FREE_CONCURRENCY, ge=1)
    """Requests one client may have in flight (None: no limit, as a node of one's own)."""
    daily_quota: int | None = Field(None, ge=0)
    """Requests served before every later one is refused with 403 (None: not counted)."""


class AlgodSandbox(Sandbox):
    """algod v2 over the sandbox ledger.

    `token=""` runs it like a node without an API token (no auth). `experimental_api=False`
    plays a node before v4.6.0 without `EnableExperimentalAPI`: the holdings route answers 404.
    `max_api_resources_per_account` is algod's `MaxAPIResourcesPerAccount` (0: no limit).
    """

    source = Source.ALGORAND

    def __init__(
        self,
        *,
        token: str = SANDBOX_ALGOD_TOKEN,
        experimental_api: bool = True,
        max_api_resources_per_account: int = MAX_API_RESOURCES_PER_ACCOUNT,
        settings: AlgodSettings | None = None,
    ) -> None:
        self.settings: AlgodSettings = settings or AlgodSettings()
        self._in_flight: Counter[str] = Counter()
        self._served = 0
        self._token = token.encode()
        self._experimental_api = experimental_api
        self._max_resources = max_api_resources_per_account
        #: What tests changed on the ledger, and its round (`ledger_changes.py`).
        self.changes = LedgerChanges()

    def control_routes(self) -> Iterable[web.RouteDef]:
        async def change(request: web.Request) -> web.Response:
            return await change_route(self.changes, request)

        return [web.post("/_sandbox/holdings", change)]

    def routes(self) -> Iterable[web.RouteDef]:
        return [
            web.get(_ROUTES["assets"], self._guarded(self._account_assets)),
            web.get(_ROUTES["account"], self._guarded(self._account)),
            web.get(_ROUTES["asset"], self._guarded(self._asset)),
            # Last: echo's answer for any other path (no auth check, as in algod's router).
            web.route("*", "/{path:.*}", _unknown_route),
        ]

    def error_response(self, status: int) -> web.Response:
        message = _FAULT_MESSAGES.get(status)
        if message is None:
            try:
                message = HTTPStatus(status).phrase
            except ValueError:
                message = "Unknown Error"
        return _error(status, message)

    def malformed_response(self, request: web.Request) -> web.Response:
        resource = request.match_info.route.resource
        template = resource.canonical if resource is not None else ""
        if template == _ROUTES["assets"]:
            body: dict[str, Any] = {
                "asset-holdings": {"asset-id": USDC_ID, "amount": "1234567890"},
                "round": ROUND,
            }
        elif template == _ROUTES["account"]:
            address = request.match_info.get("address", "")
            body = {"address": address, "amount": "5000000000000", "round": str(ROUND)}
        elif template == _ROUTES["asset"]:
            body = {"index": request.match_info.get("asset_id", ""), "params": []}
        else:
            body = {"unexpected": True}
        return json_response(body)

    # --- the provider in front of the node ---------------------------------------------------

    def admit(self, request: web.Request) -> web.StreamResponse | None:
        settings = self.settings
        if settings.daily_quota is not None and self._served >= settings.daily_quota:
            return _error(403, _QUOTA_SPENT)
        client = request.remote or ""
        if settings.max_concurrency is not None and (
            self._in_flight[client] >= settings.max_concurrency
        ):
            return _error(429, _TOO_MANY_IN_FLIGHT)
        self._in_flight[client] += 1
        self._served += 1
        return None

    def release(self, request: web.Request) -> None:
        client = request.remote or ""
        self._in_flight[client] -= 1
        if self._in_flight[client] <= 0:
            del self._in_flight[client]

    def reset(self) -> None:
        # A new day, and the generated ledger again; requests still running stay in flight
        # until they end.
        self._served = 0
        self.changes.reset()

    # --- auth -------------------------------------------------------------------------------

    def _guarded(self, handler: _Handler) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def guarded(request: web.Request) -> web.Response:
            if not self._authorized(request):
                return _error(401, _INVALID_TOKEN)
            try:
                return handler(request)
            except _Rejected as rejected:
                return rejected.response

        return guarded

    def _authorized(self, request: web.Request) -> bool:
        if not self._token:
            return True
        provided = request.headers.get(_TOKEN_HEADER, "")
        if not provided:
            authorization = request.headers.get("Authorization", "")
            if authorization.startswith(_BEARER):
                provided = authorization[len(_BEARER) :]
        return hmac.compare_digest(provided.encode(), self._token)

    # --- GET /v2/accounts/{address}/assets --------------------------------------------------

    def _account_assets(self, request: web.Request) -> web.Response:
        address = _address(request)
        limit = _uint_param(request, "limit")
        if not self._experimental_api:
            return web.Response(status=404, text=_EXPERIMENTAL_DISABLED)
        after = 0
        raw_next = request.query.get("next")
        if raw_next is not None:
            parsed = _parse_uint(raw_next)
            if isinstance(parsed, str):
                raise _Rejected(_error(400, f"unable to parse next token: {parsed}"))
            after = parsed
        if limit is None:
            limit = DEFAULT_ASSET_RESULTS
        elif limit == 0:
            raise _Rejected(_error(400, "limit parameter must be a positive integer"))
        elif limit > MAX_ASSET_RESULTS:
            raise _Rejected(
                _error(
                    400,
                    f"limit {limit} exceeds max assets single batch limit {MAX_ASSET_RESULTS}",
                )
            )
        if self.changes.touched(address):
            ids, fragments = _fragments_of(self.changes.holdings_of(address))
        elif address in holdings():
            ids, fragments = _holding_fragments(address)
        else:
            ids, fragments = (), ()
        start = bisect.bisect_right(ids, after)
        end = min(start + limit, len(ids))
        next_token = f',"next-token":"{ids[end - 1]}"' if end < len(ids) else ""
        # Pre-serialised rows keep a 1000-row page cheap; keys in algod's order.
        text = (
            f'{{"asset-holdings":[{",".join(fragments[start:end])}]{next_token},'
            f'"round":{self.changes.round}}}'
        )
        return web.Response(text=text, content_type="application/json")

    # --- GET /v2/accounts/{address} ---------------------------------------------------------

    def _account(self, request: web.Request) -> web.Response:
        address = _address(request)
        response_format = request.query.get("format")
        if response_format == "msgpack":
            raise _Rejected(_error(400, "the sandbox serves format=json only, not msgpack"))
        if response_format not in (None, "json"):
            raise _Rejected(_error(400, "failed to parse the format option"))
        exclude = _exclusions(request.query.get("exclude"))
        held = self.changes.holdings_of(address)
        created = created_assets().get(address, ())
        account = _basic_account(address, len(held), len(created), self.changes)
        if "all" in exclude:
            return json_response(account)
        total = len(held) + len(created)
        if self._max_resources and total > self._max_resources:
            data = {
                "max-results": self._max_resources,
                "total-assets-opted-in": len(held),
                "total-created-assets": len(created),
                "total-apps-opted-in": 0,
                "total-created-apps": 0,
            }
            raise _Rejected(_error(400, "Result limit exceeded", data))
        if held:
            account["assets"] = [holding.to_json() for holding in held]
        if created:
            catalogue = assets()
            account["created-assets"] = [
                {"index": asset_id}
                if "created-assets-params" in exclude
                else {"index": asset_id, "params": catalogue[asset_id].to_json()}
                for asset_id in created
            ]
        return json_response(dict(sorted(account.items())))

    # --- GET /v2/assets/{asset-id} ----------------------------------------------------------

    def _asset(self, request: web.Request) -> web.Response:
        raw = request.match_info["asset_id"]
        asset_id = _parse_uint(raw)
        if isinstance(asset_id, str):
            raise _Rejected(_error(400, f"Invalid format for parameter asset-id: {asset_id}"))
        params = assets().get(asset_id)
        if params is None:
            raise _Rejected(_error(404, "asset does not exist"))
        return json_response({"index": asset_id, "params": params.to_json()})


async def _unknown_route(request: web.Request) -> web.Response:
    if any(pattern.fullmatch(request.path) for pattern in _KNOWN_PATHS):
        return _error(405, "Method Not Allowed")
    return _error(404, "Not Found")


def _address(request: web.Request) -> str:
    """The path's address, checked as go-algorand's `UnmarshalChecksumAddress` checks it."""
    raw = request.match_info["address"]
    problem = _address_problem(raw)
    if problem is not None:
        raise _Rejected(_error(400, f"Invalid format for parameter address: {problem}"))
    return raw


def _address_problem(address: str) -> str | None:
    try:
        decoded = base64.b32decode(address + "=" * (-len(address) % 8))
    except (binascii.Error, ValueError):
        return f"failed to decode address {address} to base 32"
    if len(decoded) < 32:
        return f"decoded bad addr: {address}"
    public_key = decoded[:32]
    if hashlib.new("sha512_256", public_key).digest()[-4:] != decoded[-4:]:
        return f"address {address} is malformed, checksum verification failed"
    if encode_address(public_key) != address:
        return f"address {address} is non-canonical"
    return None


def _parse_uint(raw: str) -> int | str:
    """`raw` as Go's `strconv.ParseUint(raw, 10, 64)` reads it: the number, or its error."""
    if not _DIGITS.fullmatch(raw):
        return f"strconv.ParseUint: parsing {json.dumps(raw)}: invalid syntax"
    value = int(raw)
    if value > UINT64_MAX:
        return f"strconv.ParseUint: parsing {json.dumps(raw)}: value out of range"
    return value


def _uint_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    value = _parse_uint(raw)
    if isinstance(value, str):
        raise _Rejected(_error(400, f"Invalid format for parameter {name}: {value}"))
    return value


def _exclusions(raw: str | None) -> frozenset[str]:
    """`exclude` as algod reads it: a csv of known values, `all`/`none` only on their own."""
    if raw is None or raw == "":
        return frozenset()
    values = raw.split(",")
    if not set(values) <= _EXCLUDE_VALUES or (
        len(values) > 1 and ("all" in values or "none" in values)
    ):
        raise _Rejected(_error(400, "failed to parse exclude"))
    return frozenset(values)


def _basic_account(
    address: str, opted_in: int, created: int, changes: LedgerChanges
) -> dict[str, Any]:
    """What algod answers with `exclude=all` (an account it never saw has amount 0)."""
    amount = changes.balance_of(address)
    return {
        "address": address,
        "amount": amount,
        "amount-without-pending-rewards": amount,
        "apps-total-schema": {"num-byte-slice": 0, "num-uint": 0},
        "min-balance": min_balance(address),
        "pending-rewards": 0,
        "reward-base": 0,
        "rewards": 0,
        "round": changes.round,
        "status": "Offline",
        "total-apps-opted-in": 0,
        "total-assets-opted-in": opted_in,
        "total-created-apps": 0,
        "total-created-assets": created,
    }


@functools.cache
def _holding_fragments(address: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The account's asset ids and, for each, its `asset-holdings` entry as JSON text."""
    return _fragments_of(account_holdings(address))


def _fragments_of(held: tuple[HoldingData, ...]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    catalogue = assets()
    ids: list[int] = []
    fragments: list[str] = []
    for holding in held:
        entry: dict[str, Any] = {"asset-holding": holding.to_json()}
        params = catalogue.get(holding.asset_id)
        if params is not None:  # a destroyed asset has no params to join
            entry["asset-params"] = params.to_json()
        ids.append(holding.asset_id)
        fragments.append(dumps_exact(entry))
    return tuple(ids), tuple(fragments)
