"""CardanoBI's OAuth2 client-credentials token, fetched once and shared (UPSTREAMS.md §2.3).

Every API call needs a bearer token from CardanoBI's identity server (Duende). Fetching one per
call would double the traffic and spend the rate budget, so `AccessTokenCache` keeps the current
token for every caller and every concurrent request until shortly before it expires: it is
refreshed when less than `min(60 s, expires_in / 10)` remains. An `asyncio.Lock` makes concurrent
first calls share one token request; callers that waited behind a fetch which failed get that
failure instead of hammering a broken identity server one after another.

The key, the secret and the token never appear in a message or a repr.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote_plus

from sources.errors import UpstreamError, UpstreamUnauthorized
from sources.http import HttpUpstream, decode_json
from sources.parsing import expect_object
from sources.source import Source

__all__ = ["DEFAULT_EXPIRES_IN", "AccessTokenCache"]

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
    """The current CardanoBI access token, shared by all callers of one client."""

    def __init__(
        self,
        http: HttpUpstream,
        *,
        auth_url: str,
        api_key: str,
        api_secret: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._auth_url = auth_url
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
                raise _again(self._last_failure)
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
        source = self._http.source
        asked_at = self._clock()
        response = await self._http.request(
            "POST",
            "",
            url=self._auth_url,
            headers={"Authorization": self._basic},
            data={"grant_type": "client_credentials"},
            accept=(200, 400, 401),
            endpoint="POST /connect/token",
            # Asking again only mints another token: safe to retry like a read.
            idempotent=True,
        )
        if response.status != 200:
            raise UpstreamUnauthorized(
                source,
                f"{source.upstream}'s identity server refused the client credentials "
                f"(HTTP {response.status}{_oauth_error(source, response.body)})",
                status=response.status,
            )
        body = expect_object(source, response.json(), "the token response")
        value = body.string("access_token")
        if not value or not value.isprintable():
            raise body.bad("field 'access_token' is not a usable token")
        token_type = body.opt_string("token_type")
        if token_type is not None and token_type.lower() != "bearer":
            raise body.bad("field 'token_type' is not Bearer")
        expires_in = body.opt_integer("expires_in", maximum=10**9)
        lifetime = float(DEFAULT_EXPIRES_IN if expires_in is None else expires_in)
        margin = min(_MAX_MARGIN, lifetime / 10)
        # Count from when we asked, not when the answer came: the token may be older than it looks.
        return _Token(value, asked_at + lifetime - margin)


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


def _again(failure: UpstreamError) -> UpstreamError:
    """A new error like `failure`, so each waiting caller raises its own instance."""
    return type(failure)(
        failure.source,
        failure.message,
        status=failure.status,
        retry_after_seconds=failure.retry_after_seconds,
    )
