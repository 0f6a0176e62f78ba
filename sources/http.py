"""The one module that speaks HTTP to upstreams.

Every upstream client sends its requests through an `HttpUpstream`: one long-lived
`aiohttp.ClientSession` per upstream, opened in the app's lifespan. Whatever aiohttp or the JSON
decoder can raise is translated here, once, into the `UpstreamError` tree; nothing foreign
escapes. Statuses a client does not accept become errors by `error_for_status`.

Safety rules kept here so no client can forget them: no redirects are followed (a redirect could
carry our credentials to another host), no cookies are kept (the session is shared by all users),
no proxy is taken from the environment, and no message carries a URL, header or body.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import aiohttp

from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamQuotaExceeded,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.source import Source

__all__ = [
    "HttpUpstream",
    "Timeouts",
    "UpstreamResponse",
    "decode_json",
    "error_for_status",
    "parse_retry_after",
]

_USER_AGENT = "holdings-graph/0.1"


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long one upstream call may take: to connect, and in all (body included)."""

    connect: float = 3.0
    total: float = 10.0


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """A complete upstream answer whose status the caller said it accepts."""

    source: Source
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON, every non-integer number as an exact `Decimal`."""
        return decode_json(self.source, self.body)


class HttpUpstream:
    """One upstream's connection pool, concurrency cap and error translation."""

    def __init__(
        self,
        source: Source,
        base_url: str,
        *,
        timeouts: Timeouts | None = None,
        max_concurrency: int = 32,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self._timeouts = timeouts or Timeouts()
        self._max_concurrency = max_concurrency
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None

    async def start(self) -> None:
        """Open the session; call once, from the running event loop (the app's lifespan)."""
        if self._session is not None:
            return
        self._slots = asyncio.Semaphore(self._max_concurrency)
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(
                total=self._timeouts.total, connect=self._timeouts.connect
            ),
            connector=aiohttp.TCPConnector(limit=self._max_concurrency),
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": _USER_AGENT, "Accept": "application/json"},
            trust_env=False,
        )

    async def close(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | bytes | None = None,
        accept: Collection[int] = (200,),
        url: str | None = None,
    ) -> UpstreamResponse:
        """Send one request to `base_url + path` (or to the configured absolute `url`).

        Answers with statuses in `accept` come back whole; any other status, a transport
        failure or a timeout raises the matching `UpstreamError`.
        """
        if self._session is None or self._slots is None:
            raise RuntimeError(f"{self.source.upstream} client used before start()")
        target = url if url is not None else self.base_url + path
        async with self._slots:
            try:
                async with self._session.request(
                    method,
                    target,
                    params=params,
                    headers=headers,
                    data=data,
                    allow_redirects=False,
                ) as response:
                    body = await response.read()
                    status = response.status
                    response_headers = response.headers
            except TimeoutError as exc:
                raise UpstreamTimeout(
                    self.source,
                    f"{self.source.upstream} did not answer within {self._timeouts.total:g} s",
                ) from exc
            except aiohttp.ClientPayloadError as exc:
                raise UpstreamUnavailable(
                    self.source, f"{self.source.upstream} broke off its answer"
                ) from exc
            except (aiohttp.ClientError, OSError) as exc:
                raise UpstreamUnavailable(
                    self.source,
                    f"{self.source.upstream} could not be reached ({type(exc).__name__})",
                ) from exc
        if status not in accept:
            raise error_for_status(self.source, status, response_headers)
        return UpstreamResponse(self.source, status, response_headers, body)


def error_for_status(
    source: Source, status: int, headers: Mapping[str, str] | None = None
) -> UpstreamError:
    """The error an unaccepted status stands for (SCHEMA.md's table)."""
    name = source.upstream
    retry_after = parse_retry_after((headers or {}).get("Retry-After"))
    if status == 429:
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


def decode_json(source: Source, body: bytes) -> Any:
    """Parse JSON exactly: integers as `int`, other numbers as `Decimal`, never a float."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UpstreamBadResponse(
            source, f"{source.upstream} answered with a body that is not valid JSON"
        ) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> int | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), if valid."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0, math.ceil(delta))
