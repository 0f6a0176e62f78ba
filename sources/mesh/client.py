"""The Mesh Connect client: one method per endpoint we use (UPSTREAMS.md §4).

Mesh wraps every JSON body in the `ApiResult` envelope, and its `status` outranks the HTTP
status: a 200 that says `serverFailure` is a failure. So the client accepts 200 and 400, reads
the envelope, and turns every status but `ok` into the `UpstreamError` it stands for. Other
HTTP statuses (401/403 with an empty body, 429, 5xx) take `HttpUpstream`'s default mapping.

Messages name Mesh's status and, when it is a plain identifier, its `errorType`; they never
repeat Mesh's free-text `message` (it may quote the request) nor the client id or secret.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.http import HttpUpstream, UpstreamRequest, UpstreamResponse, parse_retry_after
from sources.mesh.records import EMPTY_PORTFOLIO, Portfolio
from sources.parsing import JsonObject, expect_object
from sources.source import Source

__all__ = ["PORTFOLIO_PATH", "MeshClient"]

PORTFOLIO_PATH = "/api/v1/holdings/portfolio"

_MESH = Source.MESH
_NAME = _MESH.upstream

#: A status or errorType that is a bare identifier can be named in a message; anything else
#: could be arbitrary text from the upstream and is left out.
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")

_UNAVAILABLE_STATUSES = frozenset({"serverFailure", "unavailableForLegalReasons", "locked"})


class MeshClient:
    """Mesh's Integration API with the server's own client id and secret."""

    __slots__ = ("_headers", "_http")

    def __init__(self, http: HttpUpstream, *, client_id: str, client_secret: str) -> None:
        self._http = http
        # Kept only as the headers to send: never in a message, a log line or the repr.
        self._headers: Mapping[str, str] = {
            "X-Client-Id": client_id,
            "X-Client-Secret": client_secret,
        }

    def __repr__(self) -> str:
        # Neither the credentials nor the URL (which may carry user:password) belong in a repr.
        return f"<MeshClient for {self._http.source.upstream}>"

    async def portfolio(self, user_id: str, *, timezone_offset: int = 0) -> Portfolio:
        """`GET /api/v1/holdings/portfolio`: the user's aggregated portfolio.

        `timezone_offset` is in seconds; Mesh uses it for the cryptocurrencies' daily return.
        """
        request = UpstreamRequest(
            "GET",
            PORTFOLIO_PATH,
            params={"UserId": user_id, "TimezoneOffset": str(timezone_offset)},
            headers=self._headers,
            accept=(200, 400),
            endpoint=f"GET {PORTFOLIO_PATH}",
            parse=_portfolio,
        )
        return await self._http.send(request)


def _portfolio(response: UpstreamResponse) -> Portfolio:
    envelope = expect_object(_MESH, response.json(), "the portfolio answer")
    if response.status == 200 and envelope.raw("status") == "ok":
        content = envelope.opt_obj("content")
        portfolio = EMPTY_PORTFOLIO if content is None else Portfolio.from_json(content)
        # When Mesh answered: what `fetchedAt` shows, however much later the record is used.
        return dataclasses.replace(portfolio, fetched_at=response.read_at)
    raise _envelope_error(response, envelope)


def _envelope_error(response: UpstreamResponse, envelope: JsonObject) -> UpstreamError:
    """The error an `ApiResult` that is not a success stands for."""
    http_status = response.status
    status = envelope.raw("status")
    if not isinstance(status, str) or not _IDENTIFIER.fullmatch(status):
        return UpstreamBadResponse(
            _MESH,
            f"{_NAME} answered HTTP {http_status} without a recognisable ApiResult status",
            status=http_status,
        )
    if status == "ok":
        # Only a 400 gets here: an error status code whose envelope claims success.
        return UpstreamBadResponse(
            _MESH, f"{_NAME} answered HTTP {http_status} with status 'ok'", status=http_status
        )
    what = f"{_NAME} answered status {status!r}{_error_type(envelope)} (HTTP {http_status})"
    if status == "tooManyRequest":
        return UpstreamRateLimited(
            _MESH,
            f"{what}: it is rate limiting our requests",
            status=http_status,
            retry_after_seconds=parse_retry_after(response.headers.get("Retry-After")),
        )
    if status == "permissionDenied":
        return UpstreamUnauthorized(
            _MESH, f"{what}: it refused the client credentials", status=http_status
        )
    if status in _UNAVAILABLE_STATUSES:
        return UpstreamUnavailable(
            _MESH, f"{what}: it could not serve the portfolio", status=http_status
        )
    return UpstreamBadResponse(
        _MESH, f"{what}: it refused a request it should accept", status=http_status
    )


def _error_type(envelope: JsonObject) -> str:
    error_type = envelope.raw("errorType")
    if isinstance(error_type, str) and _IDENTIFIER.fullmatch(error_type):
        return f" with errorType {error_type!r}"
    return ""
