"""Upstream failures, as one tree.

    UpstreamError                 anything an upstream did wrong; carries `source` and `code`
    ├── UpstreamUnavailable       connection refused or reset, 5xx, a route the upstream lacks
    ├── UpstreamTimeout           no complete answer within the source's timeout
    ├── UpstreamRateLimited       429 (and Mesh `tooManyRequest`); `retry_after_seconds` if given
    ├── UpstreamQuotaExceeded     402 (CardanoBI's quota), algod's 403 (a provider's daily quota)
    ├── UpstreamUnauthorized      401/403: the upstream refused the credentials
    ├── UpstreamUnauthenticated   the upstream refused the end user (Calico's 601-603: an expired
                                  session): the user must re-authenticate there; the source is up
    └── UpstreamBadResponse       a body that is not JSON, not the documented shape, or a status
                                  the upstream should not have answered to a valid request

Each class carries its GraphQL `extensions.code` (SCHEMA.md) and its `outcome`, the label the
metrics give a call that ended with it. An error raised before any request left this server (its
own rate budget spent, the request's deadline passed, the circuit open) says `sent=False`; a
timeout the request's deadline shortened says `cut_short=True`: neither tells anything about the
upstream's health, which is what the circuit breaker and the retries need to know. `again()`
copies an error, optionally with a longer message, so no one else rebuilds one by its class.

Messages never contain a credential, a token or an upstream body: they say which source failed
and how.
"""

from __future__ import annotations

from typing import ClassVar, Self

from sources.observe import Outcome
from sources.source import Source

__all__ = [
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamQuotaExceeded",
    "UpstreamRateLimited",
    "UpstreamTimeout",
    "UpstreamUnauthenticated",
    "UpstreamUnauthorized",
    "UpstreamUnavailable",
]


class UpstreamError(Exception):
    """An upstream call failed; the field that needed it fails with `code`."""

    code: ClassVar[str] = "UPSTREAM_UNAVAILABLE"
    outcome: ClassVar[Outcome] = "unavailable"

    def __init__(
        self,
        source: Source,
        message: str,
        *,
        status: int | None = None,
        retry_after_seconds: int | None = None,
        sent: bool = True,
        cut_short: bool = False,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.message = message
        self.status = status
        self.retry_after_seconds = retry_after_seconds
        self.sent = sent
        self.cut_short = cut_short

    def again(self, message: str | None = None) -> Self:
        """A new instance of this error (same class, source, status, advice and cause), with
        `message` instead of this one's when given: each caller that shares a failure raises an
        instance of its own, and a retried call's error can say how many attempts it took."""
        twin = type(self)(
            self.source,
            self.message if message is None else message,
            status=self.status,
            retry_after_seconds=self.retry_after_seconds,
            sent=self.sent,
            cut_short=self.cut_short,
        )
        twin.__cause__ = self.__cause__
        return twin


class UpstreamUnavailable(UpstreamError):
    code = "UPSTREAM_UNAVAILABLE"
    outcome = "unavailable"


class UpstreamTimeout(UpstreamError):
    code = "UPSTREAM_TIMEOUT"
    outcome = "timeout"


class UpstreamRateLimited(UpstreamError):
    code = "UPSTREAM_RATE_LIMITED"
    outcome = "rate_limited"


class UpstreamQuotaExceeded(UpstreamError):
    code = "UPSTREAM_QUOTA_EXCEEDED"
    outcome = "quota_exceeded"


class UpstreamUnauthorized(UpstreamError):
    code = "UPSTREAM_UNAUTHORIZED"
    outcome = "unauthorized"


class UpstreamUnauthenticated(UpstreamError):
    """The upstream answered that it does not accept *the end user* (not our credentials, not
    this request): their session there expired, or it does not know them. Only the user can
    fix it, by signing in to that upstream again; the upstream itself answered, so it is up."""

    code = "UPSTREAM_UNAUTHENTICATED"
    outcome = "unauthenticated"


class UpstreamBadResponse(UpstreamError):
    code = "UPSTREAM_BAD_RESPONSE"
    outcome = "bad_response"
