"""What an upstream's status and `Retry-After` header mean, as the `UpstreamError` tree says it."""

from __future__ import annotations

import email.utils
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamQuotaExceeded,
    UpstreamRateLimited,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.source import Source

__all__ = ["error_for_status", "parse_retry_after"]

# Delta-seconds of at most 10 ASCII digits (300 years): `str.isdigit` also takes '²' and '٣',
# and `int()` refuses, or slowly reads, the thousands of digits an upstream may send.
_DELTA_SECONDS = re.compile(r"[0-9]{1,10}")


def error_for_status(
    source: Source,
    status: int,
    headers: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
    window_seconds: float = 0.0,
) -> UpstreamError:
    """The error an unaccepted status stands for (SCHEMA.md's table); messages call the upstream
    `name` (default: the source's own name).

    A 429 without a valid `Retry-After` asks for `window_seconds` (rounded up to whole seconds,
    as the header would say them): the window the upstream counts its limit over. CardanoBI's
    gateway sends none, and a retry within the window would only be refused again.
    """
    name = name or source.upstream
    retry_after = parse_retry_after((headers or {}).get("Retry-After"))
    if status == 429:
        if retry_after is None and window_seconds > 0:
            retry_after = math.ceil(window_seconds)
        return UpstreamRateLimited(
            source,
            f"{name} is rate limiting our requests (HTTP 429)",
            status=status,
            retry_after_seconds=retry_after,
        )
    if status == 402:
        return UpstreamQuotaExceeded(
            source, f"{name} says the API key's quota is used up (HTTP 402)", status=status
        )
    if status in (401, 403):
        return UpstreamUnauthorized(
            source, f"{name} refused the credentials (HTTP {status})", status=status
        )
    if status >= 500:
        return UpstreamUnavailable(
            source,
            f"{name} failed (HTTP {status})",
            status=status,
            retry_after_seconds=retry_after,
        )
    return UpstreamBadResponse(
        source,
        f"{name} answered HTTP {status}, which a valid request should not get",
        status=status,
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> int | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), if valid.

    The header is the upstream's text: anything that is not 1 to 10 ASCII digits or a date
    `email.utils` can read is no advice, so None rather than an error.
    """
    if value is None:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        # OverflowError: a numeric zone or year too large for C (`... 00:00:00 99999…`).
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0, math.ceil(delta))
