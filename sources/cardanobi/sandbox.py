"""A faithful CardanoBI on loopback: identity server, nginx gateway and core API in one app.

It plays three layers of the real stack (UPSTREAMS.md §2), in the order a request meets them:

1. the identity server's token endpoint, `POST /connect/token` (Duende: OAuth2 client
   credentials by Basic auth or form fields, 400 `{"error": ...}` on refusal), served on the same
   port so `CARDANOBI_AUTH_URL = <sandbox url>/connect/token`;
2. the nginx gateway: no or a wrong `Client-Api-Key` on `/api/...` -> 403 HTML page; 402, 429 and
   5xx pages (injected faults) in nginx's HTML;
3. the ASP.NET API: bearer token checks (401 empty body with `WWW-Authenticate`), the three core
   routes over `sandbox_data`, ProblemDetails JSON for 400/404.

Paging on `/accounts/{stake_address}/assets` follows our reference doc (the contract for this
sandbox): `page_no` from 1, `page_size` default 20 clamped to 100, `order` `desc` by default and
ascending for any other value, items by fingerprint; an empty result is a 404. The
`ignore_paging` fault makes it answer page 1 whatever `page_no` says, as the real server does.

Control route, beside the kit's `/_sandbox/` API: `POST /_sandbox/token` with
`{"expires_in": N}` (lifetime of tokens issued from now on) and/or `{"revoke": true}` (every
issued token stops working). `reset()` restores the default lifetime but revokes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_plus

from aiohttp import web

from sources.cardanobi import sandbox_data
from sources.cardanobi.identifiers import Bech32Error, bech32_decode
from sources.cardanobi.token_changes import TokenChanges, change_route
from sources.sandboxing import Sandbox, active_faults, json_response
from sources.source import Source

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_TOKEN_TTL",
    "MAX_PAGE_SIZE",
    "SANDBOX_API_KEY",
    "SANDBOX_API_SECRET",
    "SCOPES",
    "TOKEN_PATH",
    "CardanoBISandbox",
]

SANDBOX_API_KEY = "sandbox-cardanobi-key"
SANDBOX_API_SECRET = "sandbox-cardanobi-secret"
TOKEN_PATH = "/connect/token"
DEFAULT_TOKEN_TTL = 3600
"""Duende's default access-token lifetime, in seconds."""
SCOPES = ("cardanobi-core-read", "cardanobi-bi-read")
"""What the sandbox client may ask for; the core routes need `cardanobi-core-read`."""
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

_CORE_SCOPE = "cardanobi-core-read"
_INT32_MAX = 2**31 - 1
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NO_STORE = {"Cache-Control": "no-store, no-cache, max-age=0", "Pragma": "no-cache"}
_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}

_PROBLEM_TYPES = {
    400: ("https://tools.ietf.org/html/rfc7231#section-6.5.1", "Bad Request"),
    404: ("https://tools.ietf.org/html/rfc7231#section-6.5.4", "Not Found"),
    500: (
        "https://tools.ietf.org/html/rfc7231#section-6.6.1",
        "An error occurred while processing your request.",
    ),
}
"""ASP.NET Core's ProblemDetails `type` and `title` per status (its ClientErrorMapping)."""

# CardanoBI's own gateway pages (cardanobi-devops config/nginx/*/402.html, 403.html).
_PAGE_402 = """<html>
<head>
<title>402 Limit Exceeded.</title>
</head>
<body>
    <div style="text-align:center">
        <h1>You have exceeded your limit on request. Please upgrade to a plan allowing larger \
limit on request or wait until
your limit period resets.</h1>
    </div>
</body>
</html>"""
_PAGE_403 = """<html>
<head>
<title>403 Forbidden - missing Client-Api-Key</title>
</head>
<body>
    <div style="text-align:center">
        <h1>This request cannot be fulfilled by CardanoBI as it is missing a Client-Api-Key in \
the header.</h1>
    </div>
</body>
</html>"""
_NGINX_TITLES = {
    429: "429 Too Many Requests",
    502: "502 Bad Gateway",
    503: "503 Service Temporarily Unavailable",
    504: "504 Gateway Time-out",
}


@dataclass(frozen=True, slots=True)
class _Issued:
    expires_at: float
    scopes: frozenset[str]


class CardanoBISandbox(Sandbox):
    """CardanoBI's identity server, gateway and core API over `sandbox_data`."""

    source = Source.CARDANO

    def __init__(
        self,
        *,
        api_key: str = SANDBOX_API_KEY,
        api_secret: str = SANDBOX_API_SECRET,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._default_ttl = token_ttl
        self._ttl = token_ttl
        self._clock = clock
        self._issued: dict[str, _Issued] = {}
        #: What tests changed of the accounts (`token_changes.py`).
        self.changes = TokenChanges()

    def __repr__(self) -> str:
        return "CardanoBISandbox()"

    # -- the kit's hooks ------------------------------------------------------------------

    def routes(self) -> Iterable[web.RouteDef]:
        return [
            web.post(TOKEN_PATH, self._token),
            web.get("/api/core/accounts/{stake_address}/assets", self._account_assets),
            web.get("/api/core/accounts/{stake_address}", self._account),
            web.get("/api/core/assets/{fingerprint}", self._asset),
            # Any other API path: the gateway and the token checks still apply, then Kestrel's 404.
            web.route("*", "/api/{tail:.*}", self._unknown_api_route),
        ]

    def control_routes(self) -> Iterable[web.RouteDef]:
        async def change(request: web.Request) -> web.Response:
            return await change_route(self.changes, request)

        return [
            web.post("/_sandbox/token", self._control_token),
            web.post("/_sandbox/holdings", change),
        ]

    def error_response(self, status: int) -> web.Response:
        if status == 401:
            return web.Response(status=401, headers=_INVALID_TOKEN)
        if status == 402:
            return _html(402, _PAGE_402)
        if status == 403:
            return _html(403, _PAGE_403)
        if status in _NGINX_TITLES:
            return _nginx_page(status)
        return _problem(status)

    def malformed_response(self, request: web.Request) -> web.Response:
        path = request.path
        if path == TOKEN_PATH:
            return json_response({"token_type": "Bearer", "expires_in": "soon"})
        if path.startswith("/api/core/accounts/") and path.endswith("/assets"):
            # An object where an array belongs, holding items that lack their fields.
            return json_response({"value": [{"fingerprint": None, "quantity": "1"}]})
        if path.startswith("/api/core/accounts/"):
            return json_response([{"stake_address": path.rsplit("/", 1)[-1]}])
        return json_response({"fingerprint": 42, "total_supply": "plenty"})

    def reset(self) -> None:
        self._ttl = self._default_ttl
        self.changes.reset()

    # -- what is served: plain JSON values, so a test subclass can serve other data ------

    def assets_json(self, stake_address: str) -> list[dict[str, Any]] | None:
        """AccountAssetDTOs of `stake_address`, by fingerprint ascending; None if unknown."""
        changed = self.changes.tokens_of(stake_address)
        held = changed if changed is not None else sandbox_data.tokens().get(stake_address)
        if held is None:
            return None
        return [
            {
                "policy_hex": token.policy_hex,
                "fingerprint": token.fingerprint,
                "name": token.name,
                "quantity": token.quantity,
            }
            for token in held
        ]

    def account_json(self, stake_address: str) -> dict[str, Any] | None:
        """The AccountInfoDTO of `stake_address`; None if unknown."""
        account = sandbox_data.accounts().get(stake_address)
        if account is None:
            return None
        balance = self.changes.balance_of(stake_address)
        return {
            "stake_address": account.stake_address,
            "is_registered": account.is_registered,
            "last_reg_dereg_tx": account.last_reg_dereg_tx,
            "last_reg_dereg_epoch_no": account.last_reg_dereg_epoch_no,
            "pool_id": account.pool_id,
            "last_deleg_tx": account.last_deleg_tx,
            "delegated_since_epoch_no": account.delegated_since_epoch_no,
            "total_balance": account.total_balance if balance is None else balance,
            "controlled_stakes": account.controlled_stakes,
            "total_rewards": account.total_rewards,
            "total_withdrawals": account.total_withdrawals,
            "available_rewards": account.available_rewards,
        }

    def asset_json(self, fingerprint: str) -> dict[str, Any] | None:
        """The AssetDetailsDTO of `fingerprint`; None if unknown."""
        asset = sandbox_data.assets().get(fingerprint)
        if asset is None:
            return None
        return {
            "asset_id": asset.asset_id,
            "fingerprint": asset.fingerprint,
            "policy_hex": asset.policy_hex,
            "name": asset.name,
            "creation_time": asset.creation_time,
            "total_supply": asset.total_supply,
            "mint_cnt": asset.mint_cnt,
            "burn_cnt": asset.burn_cnt,
            "first_mint_tx_hash": asset.first_mint_tx_hash,
            "first_mint_keys": list(asset.first_mint_keys),
            "last_mint_tx_hash": asset.last_mint_tx_hash,
            "last_mint_keys": list(asset.last_mint_keys),
            "first_mint_metadata": asset.first_mint_metadata,
        }

    # -- identity server -------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        if request.content_type != "application/x-www-form-urlencoded":
            return _oauth_error("invalid_request")
        form = await request.post()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        if _client_credentials(request, fields) != (self._api_key, self._api_secret):
            return _oauth_error("invalid_client")
        if fields.get("grant_type") != "client_credentials":
            return _oauth_error("unsupported_grant_type")
        asked = fields.get("scope", "").split()
        if any(scope not in SCOPES for scope in asked):
            return _oauth_error("invalid_scope")
        granted = tuple(asked) or SCOPES
        token = secrets.token_urlsafe(32)
        now = self._clock()
        # Forget expired tokens here too, not only when one is used: a client that fetches a
        # new token before the old one expires never uses the old one again.
        self._issued = {
            issued: grant for issued, grant in self._issued.items() if now < grant.expires_at
        }
        self._issued[token] = _Issued(now + self._ttl, frozenset(granted))
        return json_response(
            {
                "access_token": token,
                "expires_in": self._ttl,
                "token_type": "Bearer",
                "scope": " ".join(granted),
            },
            headers=_NO_STORE,
        )

    async def _control_token(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "the body must be JSON"}, status=400)
        if not isinstance(body, dict) or set(body) - {"expires_in", "revoke"}:
            return web.json_response(
                {"error": "expected an object with 'expires_in' and/or 'revoke'"}, status=400
            )
        expires_in = body.get("expires_in")
        revoke = body.get("revoke", False)
        if expires_in is not None and (
            isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in < 1
        ):
            return web.json_response(
                {"error": f"expires_in must be a whole number of seconds >= 1, not {expires_in!r}"},
                status=400,
            )
        if not isinstance(revoke, bool):
            return web.json_response(
                {"error": f"revoke must be true or false, not {revoke!r}"}, status=400
            )
        if expires_in is not None:
            self._ttl = expires_in
        revoked = len(self._issued) if revoke else 0
        if revoke:
            self._issued.clear()
        return web.json_response({"expires_in": self._ttl, "revoked": revoked})

    # -- gateway and bearer checks ---------------------------------------------------------

    def _refusal(self, request: web.Request) -> web.Response | None:
        """Why the gateway or the API refuses `request`, if it does."""
        if request.headers.get("Client-Api-Key") != self._api_key:
            return _html(403, _PAGE_403)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        issued = self._issued.get(token.strip()) if scheme.lower() == "bearer" else None
        if issued is None:
            return web.Response(status=401, headers=_INVALID_TOKEN)
        if self._clock() >= issued.expires_at:
            del self._issued[token.strip()]
            return web.Response(status=401, headers=_INVALID_TOKEN)
        if _CORE_SCOPE not in issued.scopes:
            return web.Response(status=403)  # the API's policy, not the gateway: no body
        return None

    # -- core API --------------------------------------------------------------------------

    async def _account_assets(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        stake_address = request.match_info["stake_address"]
        errors: dict[str, list[str]] = {}
        try:
            bech32_decode(stake_address)
        except Bech32Error:
            errors["stake_address"] = [f"The value '{stake_address}' is not a valid stake address."]
        page_no = _paging_number(request.query, "page_no", 1, errors)
        page_size = _paging_number(request.query, "page_size", DEFAULT_PAGE_SIZE, errors)
        if errors:
            return _problem(400, errors=errors)
        faults = active_faults(request)
        if faults is not None and faults.ignore_paging:
            page_no = 1
        page_size = min(page_size, MAX_PAGE_SIZE)
        items = self.assets_json(stake_address) or []
        if request.query.get("order", "desc") == "desc":
            items = items[::-1]
        start = (page_no - 1) * page_size
        page = items[start : start + page_size]
        if not page:
            return _problem(404)
        return json_response(page)

    async def _account(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        account = self.account_json(request.match_info["stake_address"])
        return _problem(404) if account is None else json_response(account)

    async def _asset(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        asset = self.asset_json(request.match_info["fingerprint"])
        return _problem(404) if asset is None else json_response(asset)

    async def _unknown_api_route(self, request: web.Request) -> web.Response:
        return self._refusal(request) or web.Response(status=404)


def _client_credentials(request: web.Request, form: Mapping[str, str]) -> tuple[str, str] | None:
    """(client id, secret) from `Authorization: Basic` (RFC 6749 §2.3.1) or the form body."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, colon, secret = pair.partition(":")
        return (unquote_plus(client_id), unquote_plus(secret)) if colon else None
    if "client_id" in form:
        return form["client_id"], form.get("client_secret", "")
    return None


def _paging_number(
    query: Mapping[str, str], name: str, default: int, errors: dict[str, list[str]]
) -> int:
    """A paging parameter as ASP.NET binds an `int`: absent -> default; else 1..2**31-1."""
    raw = query.get(name)
    if raw is None:
        return default
    if _INTEGER.fullmatch(raw.strip()) is None or abs(int(raw)) > _INT32_MAX:
        errors[name] = [f"The value '{raw}' is not valid."]
        return default
    value = int(raw)
    if value < 1:
        errors[name] = [f"The field {name} must be between 1 and {_INT32_MAX}."]
        return default
    return value


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _trace_id() -> str:
    """A W3C trace id as ASP.NET puts in `traceId`."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"


def _problem(status: int, *, errors: Mapping[str, list[str]] | None = None) -> web.Response:
    """An ASP.NET Core ProblemDetails (ValidationProblemDetails when `errors` are given)."""
    kind, title = _PROBLEM_TYPES.get(status, (None, _phrase(status)))
    body: dict[str, Any] = {}
    if kind is not None:
        body["type"] = kind
    body["title"] = "One or more validation errors occurred." if errors else title
    body["status"] = status
    body["traceId"] = _trace_id()
    if errors:
        body["errors"] = dict(errors)
    return web.Response(
        text=json.dumps(body, separators=(",", ":")),
        status=status,
        content_type="application/problem+json",
    )


def _oauth_error(error: str) -> web.Response:
    """Duende IdentityServer's token-endpoint refusal: 400 and a bare OAuth2 error."""
    return web.json_response({"error": error}, status=400, headers=_NO_STORE)


def _html(status: int, page: str) -> web.Response:
    return web.Response(
        text=page, status=status, content_type="text/html", headers={"Server": "nginx"}
    )


def _nginx_page(status: int) -> web.Response:
    title = _NGINX_TITLES[status]
    page = (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
    return _html(status, page)
