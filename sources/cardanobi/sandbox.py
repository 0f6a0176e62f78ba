"""A faithful CardanoBI on loopback: identity server, nginx gateway and core API in one app.

It plays three layers of the real stack (UPSTREAMS.md §2, `upstream-samples/evidence`), in the
order a request meets them:

1. the identity server's token endpoint, `POST /connect/token` (Duende: OAuth2 client
   credentials by Basic auth or form fields, 400 `{"error": ...}` on refusal), served on the same
   port so `CARDANOBI_AUTH_URL = <sandbox url>/connect/token`; it is another host in reality, so
   the gateway's limits below do not apply to it;
2. the nginx gateway on `/api/...` (`Sandbox.admit`): a missing or empty `Client-Api-Key` gets the
   403 page (any other key passes: the gateway only checks that one is there); then the key's
   plan rate limit (`sandbox_gateway`; setting `plan`, default the free plan's 1 request/s with
   no burst) answers nginx's 429 HTML page, without `Retry-After`; 402 and 5xx pages come as
   injected faults;
3. the ASP.NET API: bearer token checks (401 empty body with `WWW-Authenticate`), the three core
   routes over `sandbox_data`, ProblemDetails JSON for 400/404.

`GET /api/core/accounts/{stake_address}/assets` takes no paging parameters: it answers the first
100 tokens by fingerprint (`EnableQuery(PageSize = 100)`), whatever `page_no`, `page_size` or
`order` say; an account without tokens, unknown or not even a stake address, is a 404 (the
route validates nothing). OData's `$orderby`, `$skip` and `$top` apply only with the `odata`
setting (`sandbox_odata`; off by default: nobody has shown the real service honour them); the
`ignore_paging` fault makes a sandbox with `odata` on ignore them again.
`GET /api/core/assets/{fingerprint}` answers a JSON array: `[{...}]`, or `[]` when the token is
unknown, never 404.

Settings (`/_sandbox/settings`): `plan` (`free`, `spo`, `dev`, `dapp`, `enterprise`, or
`unlimited`, the sandbox's own for tests and benchmarks that need headroom) and `odata`.
Control route, beside the kit's `/_sandbox/` API: `POST /_sandbox/token` with
`{"expires_in": N}` (lifetime of tokens issued from now on) and/or `{"revoke": true}` (every
issued token stops working); `POST /_sandbox/holdings` changes an account's tokens and balance
(`token_changes.py`). `reset()` restores the default lifetime and the generated data and
forgets the gateway's counts, but revokes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import unquote_plus

from aiohttp import web

from sources.cardanobi import sandbox_data
from sources.cardanobi.sandbox_credentials import SANDBOX_API_KEY, SANDBOX_API_SECRET, TOKEN_PATH
from sources.cardanobi.sandbox_gateway import PLANS, LimitReq
from sources.cardanobi.sandbox_odata import PAGE_SIZE, ODataRefused, apply_query
from sources.cardanobi.token_changes import TokenChanges, change_route
from sources.sandboxing import Sandbox, SandboxSettings, active_faults, json_response
from sources.source import Source

__all__ = [
    "DEFAULT_TOKEN_TTL",
    "PAGE_SIZE",
    "SANDBOX_API_KEY",
    "SANDBOX_API_SECRET",
    "SCOPES",
    "TOKEN_PATH",
    "CardanoBISandbox",
    "CardanoBISettings",
]

DEFAULT_TOKEN_TTL = 3600
"""Duende's default access-token lifetime, in seconds."""
SCOPES = ("cardanobi-core-read", "cardanobi-bi-read")
"""What the sandbox client may ask for; the core routes need `cardanobi-core-read`."""

_CORE_SCOPE = "cardanobi-core-read"
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


class CardanoBISettings(SandboxSettings):
    """How the sandbox plays CardanoBI where the real service may differ by account or is
    unknown. The defaults are what a new user meets."""

    plan: Literal["free", "spo", "dev", "dapp", "enterprise", "unlimited"] = "free"
    """The plan of every API key: its rate limit at the gateway (`unlimited`: none, the
    sandbox's own, for tests and benchmarks that need headroom)."""
    odata: bool = False
    """Whether the assets route honours OData's `$orderby`, `$skip` and `$top`."""


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
        settings: CardanoBISettings | None = None,
    ) -> None:
        self.settings: CardanoBISettings = settings or CardanoBISettings()
        self._gateway = LimitReq(clock)
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

    def admit(self, request: web.Request) -> web.StreamResponse | None:
        """nginx in front of the API: the key must be there, then the key's plan's rate."""
        if not request.path.startswith("/api/"):
            return None  # the identity server is another host, behind no such gateway
        key = request.headers.get("Client-Api-Key", "")
        if not key:
            return _html(403, _PAGE_403)
        plan = self.settings.plan
        if plan != "unlimited" and not self._gateway.admit(key, PLANS[plan]):
            return _nginx_page(429)
        return None

    def reset(self) -> None:
        self._ttl = self._default_ttl
        self.changes.reset()
        self._gateway.forget()

    # -- what is served: plain JSON values, so a test subclass can serve other data ------

    def assets_json(self, stake_address: str) -> list[dict[str, Any]] | None:
        """All the AccountAssetDTOs of `stake_address`, by fingerprint ascending (the route
        answers at most `PAGE_SIZE` of them); None if unknown."""
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
        """Why the API refuses `request`'s bearer token, if it does (the gateway let it in)."""
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
        # No parameter is validated: an unknown account and a malformed address alike are
        # simply not found, as are accounts without tokens (the controller's own 404).
        items = self.assets_json(request.match_info["stake_address"])
        if not items:
            return _problem(404)
        faults = active_faults(request)
        if self.settings.odata and not (faults is not None and faults.ignore_paging):
            try:
                items = apply_query(items, request.query)
            except ODataRefused as refused:
                return _problem(400, errors={"": [str(refused)]})
        return json_response(items[:PAGE_SIZE])

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
        # A list of the rows the query found: one, or none for an unknown token (never 404).
        return json_response([] if asset is None else [asset])

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
