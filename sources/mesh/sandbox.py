"""A faithful stand-in for Mesh's `GET /api/v1/holdings/portfolio` (UPSTREAMS.md §4).

It checks `X-Client-Id`/`X-Client-Secret` (401 with an empty body, as Mesh's spec declares),
validates `UserId` (required, 1..300 characters) and `TimezoneOffset` (optional int64) the way
the ASP.NET service behind Mesh does (query names match case-insensitively), and answers every
JSON body in the `ApiResult` envelope with doubles written digit for digit from the Decimals of
`sandbox_data`. Which user answers what is documented there.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from typing import Any

from aiohttp import web

from sources.mesh import sandbox_data
from sources.mesh.client import PORTFOLIO_PATH
from sources.mesh.position_changes import PortfolioChanges, change_route
from sources.mesh.sandbox_credentials import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from sources.sandboxing import Sandbox, dumps_exact, json_response
from sources.source import Source

__all__ = [
    "MAX_USER_ID_LENGTH",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "TOO_MANY_REQUEST_RETRY_AFTER",
    "MeshSandbox",
    "envelope",
]


#: Mesh's limit on the `userId` of Link tokens, which the aggregated endpoints take back.
MAX_USER_ID_LENGTH = 300

#: `Retry-After` (seconds) on the 200 that `sandbox-status-tooManyRequest` answers.
TOO_MANY_REQUEST_RETRY_AFTER = 30

_INT64 = re.compile(r"\s*[+-]?[0-9]{1,64}\s*")  # bounded: int() refuses huge texts
_INT64_RANGE = range(-(2**63), 2**63)

#: The envelope an injected HTTP status comes with: (ApiResult status, message).
_FAULT_ENVELOPES = {
    400: ("badRequest", "The request is not valid."),
    404: ("notFound", "The requested resource was not found."),
    409: ("conflict", "The request conflicts with the current state."),
    423: ("locked", "The resource is locked."),
    429: ("tooManyRequest", "Too many requests. Please retry later."),
    451: ("unavailableForLegalReasons", "Unavailable for legal reasons."),
}

_STATUS_MESSAGES = {
    "serverFailure": "Internal server error.",
    "permissionDenied": "Permission denied.",
    "badRequest": "The request is not valid.",
    "notFound": "The requested resource was not found.",
    "conflict": "The request conflicts with the current state.",
    "tooManyRequest": "Too many requests. Please retry later.",
    "locked": "The resource is locked.",
    "unavailableForLegalReasons": "Unavailable for legal reasons.",
}


def envelope(
    status: str, *, message: str = "", error_type: str = "", content: Any = None, key: str = ""
) -> dict[str, Any]:
    """An `ApiResult` body; `errorHash` is 8 hex digits derived from what the answer says."""
    digest = hashlib.sha256(f"{status}|{error_type}|{message}|{key}".encode()).hexdigest()
    return {
        "status": status,
        "message": message,
        "displayMessage": None,
        "errorHash": digest[:8],
        "errorType": error_type,
        "errorData": None,
        "content": content,
    }


def _bad_request(error_type: str, message: str) -> web.Response:
    body = envelope("badRequest", message=message, error_type=error_type)
    del body["content"]  # a plain ApiResult, as the spec's 400 declares
    return json_response(body, status=400)


def _query(request: web.Request, name: str) -> str | None:
    """The first value of query parameter `name`, matched without regard to case."""
    wanted = name.lower()
    for key, value in request.query.items():
        if key.lower() == wanted:
            return value
    return None


class MeshSandbox(Sandbox):
    """Mesh's aggregated portfolio endpoint over `sandbox_data`'s users."""

    source = Source.MESH

    def __init__(
        self,
        *,
        client_id: str = SANDBOX_CLIENT_ID,
        client_secret: str = SANDBOX_CLIENT_SECRET,
    ) -> None:
        self._client_id = client_id.encode()
        self._client_secret = client_secret.encode()
        #: What tests changed of the users' portfolios (`position_changes.py`).
        self.changes = PortfolioChanges()

    def __repr__(self) -> str:
        return "MeshSandbox()"

    def routes(self) -> list[web.RouteDef]:
        return [web.get(PORTFOLIO_PATH, self._portfolio)]

    def control_routes(self) -> list[web.RouteDef]:
        async def change(request: web.Request) -> web.Response:
            return await change_route(self.changes, request)

        return [web.post("/_sandbox/holdings", change)]

    def reset(self) -> None:
        self.changes.reset()

    def error_response(self, status: int) -> web.Response:
        if status in (401, 403):
            return web.Response(status=status)
        if status in _FAULT_ENVELOPES:
            api_status, message = _FAULT_ENVELOPES[status]
        elif status >= 500:
            api_status, message = "serverFailure", "Internal server error."
        else:
            api_status, message = "badRequest", "The request is not valid."
        return json_response(envelope(api_status, message=message), status=status)

    def malformed_response(self, request: web.Request) -> web.Response:
        content = {
            "equitiesValue": 1,
            "cryptocurrenciesValue": 0,
            "nftsValue": 0,
            "equityPositions": {"symbol": "TSLA", "amount": "a few"},
            "cryptocurrencyPositions": [],
            "nftPositions": [],
        }
        return json_response(envelope("ok", content=content))

    def _authorized(self, request: web.Request) -> bool:
        client_id = request.headers.get("X-Client-Id", "").encode()
        client_secret = request.headers.get("X-Client-Secret", "").encode()
        # Both compared, always, in constant time: a timing difference would tell which was right.
        id_ok = hmac.compare_digest(client_id, self._client_id)
        secret_ok = hmac.compare_digest(client_secret, self._client_secret)
        return id_ok and secret_ok

    async def _portfolio(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.Response(status=401)
        user_id = _query(request, "UserId")
        if not user_id:
            return _bad_request("missingField", "UserId is required.")
        if len(user_id) > MAX_USER_ID_LENGTH:
            return _bad_request(
                "invalidField",
                f"UserId must be between 1 and {MAX_USER_ID_LENGTH} characters long.",
            )
        offset = _query(request, "TimezoneOffset")
        if offset and not (_INT64.fullmatch(offset) and int(offset) in _INT64_RANGE):
            return _bad_request(
                "invalidField", "TimezoneOffset must be a whole number of seconds (int64)."
            )
        # The sandbox's daily returns are fixed, so a valid offset changes nothing.
        return self._answer(user_id)

    def _answer(self, user_id: str) -> web.Response:
        status = sandbox_data.status_of(user_id)
        if status != "ok":
            headers = {}
            if status == "tooManyRequest":
                headers["Retry-After"] = str(TOO_MANY_REQUEST_RETRY_AFTER)
            body = envelope(status, message=_STATUS_MESSAGES[status], key=user_id)
            return json_response(body, headers=headers)
        changed = self.changes.portfolio_of(user_id)
        if changed is not None:
            return json_response(envelope("ok", content=changed, key=user_id))
        return web.Response(text=_ok_body(user_id), content_type="application/json")


@functools.lru_cache(maxsize=4096)
def _ok_body(user_id: str) -> str:
    """The text of an `ok` answer; kept, because writing a large portfolio costs a few ms and
    benchmarks ask for the same users again and again (bounded: any UserId may be asked)."""
    content = sandbox_data.portfolio_of(user_id)
    return dumps_exact(envelope("ok", content=content, key=user_id))
