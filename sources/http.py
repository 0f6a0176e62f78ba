"""The one module that speaks HTTP to upstreams.

Every upstream client sends its requests through an `HttpUpstream`: one long-lived
`aiohttp.ClientSession` per upstream, opened in the app's lifespan. Whatever aiohttp or the JSON
decoder can raise is translated here, once, into the `UpstreamError` tree; nothing foreign
escapes. Statuses a client does not accept become errors by `error_for_status`.

Safety rules kept here so no client can forget them: no redirects are followed (a redirect could
carry our credentials to another host), no cookies are kept (the session is shared by all users),
no proxy is taken from the environment, no body is read past `max_body_bytes` (a small gzip
answer can inflate to gigabytes), and no message carries a URL, header or body.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

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
from sources.observe import NULL_OBSERVER, REQUEST_ID, Outcome, UpstreamObserver
from sources.source import Source

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "HttpUpstream",
    "Timeouts",
    "UpstreamResponse",
    "decode_json",
    "error_for_status",
    "parse_retry_after",
    "path_segment",
]

_USER_AGENT = "holdings-graph/0.1"
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest (decompressed) body an upstream answer may have: far above any page we ask for."""
_READ_CHUNK = 64 * 1024
# Delta-seconds of at most 10 ASCII digits (300 years): `str.isdigit` also takes '²' and '٣',
# and `int()` refuses, or slowly reads, the thousands of digits an upstream may send.
_DELTA_SECONDS = re.compile(r"[0-9]{1,10}")


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
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        observer: UpstreamObserver = NULL_OBSERVER,
    ) -> None:
        if max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be at least 1, not {max_body_bytes}")
        self.source = source
        self.base_url = base_url.rstrip("/")
        self._timeouts = timeouts or Timeouts()
        self._max_concurrency = max_concurrency
        self._max_body_bytes = max_body_bytes
        self._observer = observer
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
        endpoint: str | None = None,
    ) -> UpstreamResponse:
        """Send one request to `base_url + path` (or to the configured absolute `url`).

        Answers with statuses in `accept` come back whole; any other status, a transport
        failure, a timeout or a body larger than `max_body_bytes` raises the matching
        `UpstreamError`. `endpoint` is the route template the observer sees (for example
        `GET /v2/accounts/{address}/assets`): never a concrete path, which may hold an address.
        """
        label = endpoint or f"{method} (unlabelled)"
        started = time.perf_counter()
        try:
            response = await self._request(
                method, path, params=params, headers=headers, data=data, accept=accept, url=url
            )
        except UpstreamError as exc:
            self._observer.request_finished(
                self.source, label, _outcome(exc), time.perf_counter() - started
            )
            raise
        self._observer.request_finished(self.source, label, "ok", time.perf_counter() - started)
        return response

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | bytes | None,
        accept: Collection[int],
        url: str | None,
    ) -> UpstreamResponse:
        if self._session is None or self._slots is None:
            raise RuntimeError(f"{self.source.upstream} client used before start()")
        target = url if url is not None else self.base_url + path
        request_id = REQUEST_ID.get()
        if request_id is not None:
            headers = {**(headers or {}), "X-Request-Id": request_id}
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
                    body = await self._read_body(response)
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

    async def _read_body(self, response: aiohttp.ClientResponse) -> bytes:
        """The whole body, or `UpstreamBadResponse` as soon as it is known to pass the cap.

        A `Content-Length` over the cap is refused before reading; otherwise the (decompressed)
        stream is read in chunks and abandoned at the first byte past the cap, so a compressed
        bomb costs at most one chunk more than the cap. Leaving the body unread makes aiohttp
        close the connection instead of reusing it.
        """
        cap = self._max_body_bytes
        declared = response.content_length
        if declared is not None and declared > cap:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_READ_CHUNK):
            size += len(chunk)
            if size > cap:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            self.source,
            f"{self.source.upstream} answered with a body larger than {self._max_body_bytes} bytes",
        )


def _outcome(error: UpstreamError) -> Outcome:
    outcomes: dict[str, Outcome] = {
        "UPSTREAM_TIMEOUT": "timeout",
        "UPSTREAM_RATE_LIMITED": "rate_limited",
        "UPSTREAM_QUOTA_EXCEEDED": "quota_exceeded",
        "UPSTREAM_UNAUTHORIZED": "unauthorized",
        "UPSTREAM_BAD_RESPONSE": "bad_response",
    }
    return outcomes.get(error.code, "unavailable")


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


def path_segment(value: str) -> str:
    """`value` quoted as one URL path segment.

    Callers validate identifiers first, but a slip must not be able to reach another path on
    the upstream: `/`, `?` and `#` are quoted, and an empty, `.` or `..` segment (which URL
    normalisation would fold away, quoted or not) is a `ValueError`.
    """
    if value in ("", ".", ".."):
        raise ValueError(f"{value!r} cannot be a path segment")
    return quote(value, safe="")
