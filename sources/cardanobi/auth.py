"""CardanoBI's credentials: the OAuth2 client-credentials token, fetched once and shared
(UPSTREAMS.md §2.3), and the auth flow that puts it on each API request.

Every API call needs a bearer token from CardanoBI's identity server (Duende) and the API key in
`Client-Api-Key`. The identity server is an upstream of its own (`IDENTITY_SERVER`): its own
`HttpUpstream`, so its own session, breaker and rate budget, and messages that name it. The auth
flow (`CardanoBIAuth`) runs in the API's auth layer, below the shared cache and the single
flight, so a token is asked for only when a request really goes to the API, and a failing
identity server never counts against the API's breaker. When the API answers 401 (the token was
revoked or expired early), the token is dropped, a new one fetched, and the request sent once
more; a second 401 is `UpstreamUnauthorized`.

Fetching a token per call would double the traffic, so `AccessTokenCache` keeps the current token
for every caller and every concurrent request until shortly before it expires: it is refreshed
when less than `min(60 s, expires_in / 10)` remains. An `asyncio.Lock` makes concurrent first
calls share one token request; callers that waited behind a fetch which failed get that failure
instead of hammering a broken identity server one after another.

The key, the secret and the token never appear in a message or a repr.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import AsyncGenerator, Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import quote_plus

from sources.errors import UpstreamError, UpstreamUnauthorized
from sources.http import HttpUpstream, UpstreamRequest, UpstreamResponse, decode_json
from sources.observe import BreakerState, Outcome, ParseOrigin, PublicCache, UpstreamObserver
from sources.parsing import expect_object
from sources.source import Source

__all__ = [
    "DEFAULT_EXPIRES_IN",
    "IDENTITY_SERVER",
    "AccessTokenCache",
    "CardanoBIAuth",
    "IdentityObserver",
]

logger = logging.getLogger("holdings_graph.cardanobi")

IDENTITY_SERVER = "CardanoBI's identity server"
"""How messages name the token endpoint's upstream."""

DEFAULT_EXPIRES_IN = 3600
"""Duende IdentityServer's default token lifetime, assumed when `expires_in` is missing."""

_MAX_MARGIN = 60.0

_OAUTH_ERRORS = frozenset(
    {
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    }
)
"""RFC 6749 §5.2 error codes: the only part of an error body worth repeating in a message."""


@dataclass(frozen=True, slots=True)
class _Token:
    value: str = field(repr=False)
    refresh_at: float


class AccessTokenCache:
    """The current CardanoBI access token, from the identity server's upstream `identity`
    (whose base URL is the token endpoint), shared by all callers of one client."""

    def __init__(
        self,
        identity: HttpUpstream,
        *,
        api_key: str,
        api_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._identity = identity
        # RFC 6749 §2.3.1: form-encode each part before base64.
        pair = f"{quote_plus(api_key)}:{quote_plus(api_secret)}".encode()
        self._basic = "Basic " + base64.b64encode(pair).decode("ascii")
        self._clock = clock
        self._lock = asyncio.Lock()
        self._current: _Token | None = None
        self._finished = 0
        self._last_failure: UpstreamError | None = None

    def __repr__(self) -> str:
        return "AccessTokenCache(<credentials hidden>)"

    async def token(self) -> str:
        """A token valid for a while yet: the cached one, or a freshly fetched one."""
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        # Fetches finished before we queued; if one finishes while we wait and failed,
        # we share its failure instead of asking a failing identity server once more.
        finished_before = self._finished
        async with self._lock:
            fresh = self._fresh()
            if fresh is not None:
                return fresh
            if self._finished != finished_before and self._last_failure is not None:
                raise self._last_failure.again()
            self._last_failure = None
            try:
                self._current = await self._fetch()
            except UpstreamError as exc:
                self._last_failure = exc
                raise
            finally:
                self._finished += 1
            return self._current.value

    def invalidate(self, token: str) -> None:
        """Forget `token` (the API refused it), unless another caller already replaced it."""
        if self._current is not None and self._current.value == token:
            self._current = None

    def _fresh(self) -> str | None:
        current = self._current
        if current is not None and self._clock() < current.refresh_at:
            return current.value
        return None

    async def _fetch(self) -> _Token:
        request = UpstreamRequest(
            "POST",
            headers={"Authorization": self._basic},
            data={"grant_type": "client_credentials"},
            accept=(200, 400, 401),
            endpoint="POST /connect/token",
            # Asking again only mints another token: safe to retry like a read.
            idempotent=True,
            # One token for every caller: no request's budget of upstream calls pays for it.
            metered=False,
            # Count from when we asked, not when the answer came: the token may be older.
            parse=partial(self._token_of, self._clock()),
        )
        return await self._identity.send(request)

    def _token_of(self, asked_at: float, response: UpstreamResponse) -> _Token:
        source, name = response.source, self._identity.name
        if response.status != 200:
            raise UpstreamUnauthorized(
                source,
                f"{name} refused the client credentials "
                f"(HTTP {response.status}{_oauth_error(source, response.body)})",
                status=response.status,
            )
        body = expect_object(source, response.json(), "the identity server's token response")
        value = body.string("access_token")
        if not value or not value.isprintable():
            raise body.bad("field 'access_token' is not a usable token")
        token_type = body.opt_string("token_type")
        if token_type is not None and token_type.lower() != "bearer":
            raise body.bad("field 'token_type' is not Bearer")
        expires_in = body.opt_integer("expires_in", maximum=10**9)
        lifetime = float(DEFAULT_EXPIRES_IN if expires_in is None else expires_in)
        return _Token(value, asked_at + lifetime - min(_MAX_MARGIN, lifetime / 10))


class CardanoBIAuth:
    """The auth flow of a CardanoBI API request: bearer token and API key, a fresh token once
    after a 401 (run by `HttpUpstream`'s auth layer)."""

    def __init__(self, tokens: AccessTokenCache, api_key: str) -> None:
        self._tokens = tokens
        self._api_key = api_key

    def __repr__(self) -> str:
        return "CardanoBIAuth(<credentials hidden>)"

    async def flow(
        self, request: UpstreamRequest[Any]
    ) -> AsyncGenerator[UpstreamRequest[Any], UpstreamResponse]:
        token = await self._tokens.token()
        response = yield self._signed(request, token, (*request.accept, 401))
        if response.status == 401 and 401 not in request.accept:
            # Revoked or expired before we thought: one fresh token, one more try.
            self._tokens.invalidate(token)
            token = await self._tokens.token()
            yield self._signed(request, token, request.accept)

    def _signed(
        self, request: UpstreamRequest[Any], token: str, accept: Collection[int]
    ) -> UpstreamRequest[Any]:
        headers = {"Authorization": f"Bearer {token}", "Client-Api-Key": self._api_key}
        return request.with_headers(headers, accept=accept)


class IdentityObserver:
    """What the identity server's upstream tells the observer: its calls, under CardanoBI and
    their own endpoint label; its breaker only in the log, since the breaker the metrics and
    `/readyz` show for CardanoBI is the API's."""

    def __init__(self, observer: UpstreamObserver) -> None:
        self._observer = observer

    def request_finished(
        self, source: Source, endpoint: str, outcome: Outcome, seconds: float
    ) -> None:
        self._observer.request_finished(source, endpoint, outcome, seconds)

    def request_retried(self, source: Source, endpoint: str, reason: Outcome) -> None:
        self._observer.request_retried(source, endpoint, reason)

    def breaker_changed(self, source: Source, state: BreakerState) -> None:
        log = logger.warning if state == "open" else logger.info
        log("%s: circuit %s", IDENTITY_SERVER, state.replace("_", "-"))

    def public_cache(
        self, source: Source, endpoint: str, hit: bool, *, cache: PublicCache = "public"
    ) -> None:
        self._observer.public_cache(source, endpoint, hit, cache=cache)

    def answer_parsed(self, source: Source, endpoint: str, origin: ParseOrigin) -> None:
        self._observer.answer_parsed(source, endpoint, origin)


def _oauth_error(source: Source, body: bytes) -> str:
    """`, invalid_client` when the body names a standard OAuth2 error, else nothing.

    The body is the identity server's, so it is decoded like any other answer (`decode_json`
    refuses deep nesting and the rest); a refusal that is not JSON just names no error.
    """
    try:
        decoded = decode_json(source, body)
    except UpstreamError:
        return ""
    error = decoded.get("error") if isinstance(decoded, dict) else None
    return f", {error}" if isinstance(error, str) and error in _OAUTH_ERRORS else ""
