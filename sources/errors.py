"""Upstream failures, as one tree.

    UpstreamError                 anything an upstream did wrong; carries `source` and `code`
    ├── UpstreamUnavailable       connection refused or reset, 5xx, a route the upstream lacks
    ├── UpstreamTimeout           no complete answer within the source's timeout
    ├── UpstreamRateLimited       429 (and Mesh `tooManyRequest`); `retry_after_seconds` if given
    ├── UpstreamQuotaExceeded     402 (CardanoBI's quota)
    ├── UpstreamUnauthorized      401/403: the upstream refused the credentials
    └── UpstreamBadResponse       a body that is not JSON, not the documented shape, or a status
                                  the upstream should not have answered to a valid request

`code` is the GraphQL `extensions.code` of each class (SCHEMA.md). Messages never contain a
credential, a token or an upstream body: they say which source failed and how.
"""

from typing import ClassVar

from sources.source import Source

__all__ = [
    "UpstreamBadResponse",
    "UpstreamError",
    "UpstreamQuotaExceeded",
    "UpstreamRateLimited",
    "UpstreamTimeout",
    "UpstreamUnauthorized",
    "UpstreamUnavailable",
]


class UpstreamError(Exception):
    """An upstream call failed; the field that needed it fails with `code`."""

    code: ClassVar[str] = "UPSTREAM_UNAVAILABLE"

    def __init__(
        self,
        source: Source,
        message: str,
        *,
        status: int | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.message = message
        self.status = status
        self.retry_after_seconds = retry_after_seconds


class UpstreamUnavailable(UpstreamError):
    code = "UPSTREAM_UNAVAILABLE"


class UpstreamTimeout(UpstreamError):
    code = "UPSTREAM_TIMEOUT"


class UpstreamRateLimited(UpstreamError):
    code = "UPSTREAM_RATE_LIMITED"


class UpstreamQuotaExceeded(UpstreamError):
    code = "UPSTREAM_QUOTA_EXCEEDED"


class UpstreamUnauthorized(UpstreamError):
    code = "UPSTREAM_UNAUTHORIZED"


class UpstreamBadResponse(UpstreamError):
    code = "UPSTREAM_BAD_RESPONSE"
