"""The one module that speaks HTTP to upstreams.

Every upstream client sends its requests through an `HttpUpstream`: one long-lived
`aiohttp.ClientSession` per upstream, opened in the app's lifespan. Whatever aiohttp or the JSON
decoder can raise is translated here, once, into the `UpstreamError` tree; nothing foreign
escapes. Statuses a client does not accept become errors by `error_for_status`.

Resilience is composed here too, from the mechanisms of `sources.resilience`: each call passes
the request's deadline, the source's circuit breaker, its rate limiter and concurrency cap, then
attempts with a timeout and retries what may be retried (README "Failure behaviour"). The
observer hears of every attempt, retry and breaker change.

Safety rules kept here so no client can forget them: no redirects are followed (a redirect could
carry our credentials to another host), no cookies are kept (the session is shared by all users),
no proxy is taken from the environment, no body is read past `max_body_bytes` (a small gzip
answer can inflate to gigabytes), and no message carries a URL, header or body.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import json
import math
import random
import re
import time
from collections.abc import AsyncIterator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import aiohttp

from sources.cache.coalesce import FlightTimedOut, SingleFlight
from sources.cache.key import cache_key
from sources.cache.protocol import CachedAnswer, ResponseCache
from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamQuotaExceeded,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.observe import NULL_OBSERVER, REQUEST_ID, BreakerState, Outcome, UpstreamObserver
from sources.resilience.breaker import Admission, CircuitBreaker, Verdict
from sources.resilience.deadline import DEADLINE, time_left
from sources.resilience.policy import (
    NO_RETRY,
    BreakerPolicy,
    RetryPolicy,
    SourcePolicy,
    Timeouts,
)
from sources.resilience.ratelimit import RateBudgetExhausted, RateLimiter, TokenBucket, Unlimited
from sources.resilience.retry import is_retryable, wait_before_retry
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


_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})


class _DeadlinePassed(Exception):
    """The request's deadline passed before an attempt could be sent."""


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """A complete upstream answer whose status the caller said it accepts."""

    source: Source
    status: int
    headers: Mapping[str, str]
    body: bytes
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the upstream answered: for an answer from the shared cache, when it was first read."""
    from_cache: bool = False
    """Served from the shared cache of public reads (its `headers` are then empty)."""
    cache_key: str | None = None
    """The key it is kept under in the shared cache, when it is."""

    def json(self) -> Any:
        """The body as JSON, every non-integer number as an exact `Decimal`."""
        return decode_json(self.source, self.body)


@dataclass
class _Call:
    """What one `request` has done so far (for the breaker's verdict)."""

    attempts: int = 0
    cut_by_deadline: bool = False


class HttpUpstream:
    """One upstream's connection pool, error translation and resilience.

    A call (`request`) goes: deadline → circuit breaker → rate limiter (queue) → concurrency cap
    → one attempt with its timeout → retry decision (idempotent calls only), and back to the
    rate limiter for a retry. Built bare (no `retry`, `breaker`, `rate_limiter`), it makes one
    attempt per call: what the clients' own tests want; the server builds each upstream from
    its `SourcePolicy` (`from_policy`).
    """

    def __init__(
        self,
        source: Source,
        base_url: str,
        *,
        timeouts: Timeouts | None = None,
        max_concurrency: int = 32,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        observer: UpstreamObserver = NULL_OBSERVER,
        retry: RetryPolicy = NO_RETRY,
        breaker: BreakerPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        cache: ResponseCache | None = None,
        cache_ttl_seconds: float = 0.0,
    ) -> None:
        if max_body_bytes < 1:
            raise ValueError(f"max_body_bytes must be at least 1, not {max_body_bytes}")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, not {max_concurrency}")
        self.source = source
        self.base_url = base_url.rstrip("/")
        self._timeouts = timeouts or Timeouts()
        self._max_concurrency = max_concurrency
        self._max_body_bytes = max_body_bytes
        self._observer = observer
        self._retry = retry
        self._clock = clock
        self._rng = rng or random.Random()
        self._limiter: RateLimiter = rate_limiter or Unlimited()
        self._breaker = (
            CircuitBreaker(breaker, on_change=self._breaker_changed, clock=clock)
            if breaker is not None
            else None
        )
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        # A cache with no time to keep anything is no cache; the single flight stays.
        self._cache = cache if cache_ttl_seconds > 0 else None
        self._cache_ttl = cache_ttl_seconds
        self._flights: SingleFlight[tuple[str, tuple[int, ...]], UpstreamResponse] = SingleFlight()

    @classmethod
    def from_policy(
        cls,
        source: Source,
        base_url: str,
        policy: SourcePolicy,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        observer: UpstreamObserver = NULL_OBSERVER,
        rate_limiter: RateLimiter | None = None,
        cache: ResponseCache | None = None,
        cache_ttl_seconds: float = 0.0,
    ) -> HttpUpstream:
        """An upstream bounded by `policy`; `rate_limiter` replaces the in-process token bucket
        (for example one shared by all replicas); `cache` keeps the calls marked cacheable for
        `cache_ttl_seconds`."""
        if rate_limiter is None and policy.rate is not None:
            rate_limiter = TokenBucket(policy.rate)
        return cls(
            source,
            base_url,
            timeouts=policy.timeouts,
            max_concurrency=policy.max_concurrency,
            max_body_bytes=max_body_bytes,
            observer=observer,
            retry=policy.retry,
            breaker=policy.breaker,
            rate_limiter=rate_limiter,
            cache=cache,
            cache_ttl_seconds=cache_ttl_seconds,
        )

    @property
    def breaker_state(self) -> BreakerState:
        """The circuit's state now ("closed" when this upstream has no breaker)."""
        return self._breaker.state if self._breaker is not None else "closed"

    @property
    def started(self) -> bool:
        """Whether the session is open."""
        return self._session is not None

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
        idempotent: bool | None = None,
        cache: bool = False,
    ) -> UpstreamResponse:
        """Send one request to `base_url + path` (or to the configured absolute `url`).

        Answers with statuses in `accept` come back whole; any other status, a transport
        failure, a timeout or a body larger than `max_body_bytes` raises the matching
        `UpstreamError`, after the retries the policy allows. `idempotent` (default: GET and
        HEAD) says whether the call may be sent again. `endpoint` is the route template the
        observer sees (for example `GET /v2/accounts/{address}/assets`): never a concrete
        path, which may hold an address.

        `cache` marks a public read (the same answer for every user, so never a custodial one):
        a GET whose 2xx answer may be shared with other requests through the shared cache for
        the TTL, and which shares one upstream call with concurrent identical reads (README
        "Caching"). Its key holds no header, so no credential (`sources.cache.key`).
        """
        if self._session is None or self._slots is None:
            raise RuntimeError(f"{self.source.upstream} client used before start()")
        label = endpoint or f"{method} (unlabelled)"
        if cache and method == "GET":
            return await self._shared_read(
                label, path, params=params, headers=headers, accept=accept, url=url
            )
        return await self._request(
            label,
            method,
            path,
            params=params,
            headers=headers,
            data=data,
            accept=accept,
            url=url,
            idempotent=idempotent,
        )

    async def _shared_read(
        self,
        label: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        accept: Collection[int],
        url: str | None,
    ) -> UpstreamResponse:
        """A cacheable GET: from the shared cache, else one upstream call per concurrent key."""
        key = (
            cache_key(self.source, "GET", url, "", params)
            if url is not None
            else cache_key(self.source, "GET", self.base_url, path, params)
        )
        if self._cache is not None:
            hit = await self._cache.get(key)
            self._observer.public_cache(self.source, label, hit is not None)
            if hit is not None and hit.status in accept:
                return UpstreamResponse(
                    self.source,
                    hit.status,
                    {},
                    hit.body,
                    read_at=hit.read_at,
                    from_cache=True,
                    cache_key=key,
                )

        async def read() -> UpstreamResponse:
            response = await self._request(
                label,
                "GET",
                path,
                params=params,
                headers=headers,
                data=None,
                accept=accept,
                url=url,
                idempotent=True,
            )
            if self._cache is not None and 200 <= response.status < 300:
                answer = CachedAnswer(response.status, response.body, response.read_at)
                await self._cache.set(key, answer, self._cache_ttl)
                return dataclasses.replace(response, cache_key=key)
            return response

        try:
            # Keyed with `accept` too: the same read may be an answer to one caller and an
            # error to another.
            return await self._flights.run((key, tuple(sorted(accept))), read)
        except FlightTimedOut:
            raise UpstreamTimeout(
                self.source,
                f"the request's deadline passed while waiting for {self.source.upstream}'s "
                "answer (a read shared with concurrent requests)",
            ) from None

    @asynccontextmanager
    async def refusing(self, response: UpstreamResponse) -> AsyncIterator[None]:
        """Read `response` in this block: an `UpstreamError` raised in it (the body is not what
        the caller accepts) also drops the answer from the shared cache, so a bad answer is
        never served again from there."""
        try:
            yield
        except UpstreamError:
            if self._cache is not None and response.cache_key is not None:
                await self._cache.delete(response.cache_key)
            raise

    async def _request(
        self,
        label: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | bytes | None,
        accept: Collection[int],
        url: str | None,
        idempotent: bool | None,
    ) -> UpstreamResponse:
        """One call through breaker, limiter, attempts and retries (not shared, not cached)."""
        admission: Admission = "call"
        if self._breaker is not None:
            admission = await self._admission(self._breaker)
            if admission == "refused":
                self._observer.request_finished(self.source, label, "circuit_open", 0.0)
                raise self._circuit_open(self._breaker)
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS
        call = _Call()
        verdict: Verdict = "neutral"
        try:
            response = await self._call(
                call,
                label,
                method,
                path,
                params=params,
                headers=headers,
                data=data,
                accept=accept,
                url=url,
                attempts=self._retry.max_attempts if idempotent else 1,
            )
            verdict = "up"
            return response
        except UpstreamError as exc:
            verdict = _verdict(exc, call)
            raise
        finally:
            if self._breaker is not None:
                self._breaker.settle(admission, verdict)

    async def _admission(self, breaker: CircuitBreaker) -> Admission:
        """The breaker's answer; while its probe is out, waits for the probe's outcome, but no
        longer than the request's deadline (then the call is refused like the others)."""
        admission = breaker.admit()
        while admission == "wait":
            left = time_left(clock=self._clock)
            try:
                await asyncio.wait_for(breaker.probe_settled(), timeout=left)
            except TimeoutError:
                return "refused"
            admission = breaker.admit()
        return admission

    async def _call(
        self,
        call: _Call,
        label: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | bytes | None,
        accept: Collection[int],
        url: str | None,
        attempts: int,
    ) -> UpstreamResponse:
        request_id = REQUEST_ID.get()
        if request_id is not None:
            headers = {**(headers or {}), "X-Request-Id": request_id}
        name = self.source.upstream
        while True:
            try:
                await self._limiter.acquire(DEADLINE.get())
            except RateBudgetExhausted as exc:
                raise UpstreamRateLimited(
                    self.source,
                    f"the server's request budget for {name} is spent for longer than this "
                    "request may wait",
                    retry_after_seconds=max(1, math.ceil(exc.wait_seconds)),
                ) from None
            started = self._clock()
            try:
                response = await self._attempt(
                    call, method, path, params=params, headers=headers, data=data, url=url
                )
            except _DeadlinePassed:
                raise UpstreamTimeout(
                    self.source, f"the request's deadline passed before {name} could be called"
                ) from None
            except UpstreamError as exc:
                error = exc
            else:
                if response.status in accept:
                    self._observer.request_finished(
                        self.source, label, "ok", self._clock() - started
                    )
                    return response
                error = error_for_status(self.source, response.status, response.headers)
            self._observer.request_finished(
                self.source, label, _outcome(error), self._clock() - started
            )
            if call.attempts >= attempts or not is_retryable(error):
                raise _after(error, call.attempts)
            wait = wait_before_retry(
                self._retry, call.attempts, error.retry_after_seconds, self._rng
            )
            left = time_left(clock=self._clock)
            if wait is None or (left is not None and wait >= left):
                raise _after(error, call.attempts)
            self._observer.request_retried(self.source, label, _outcome(error))
            await asyncio.sleep(wait)

    async def _attempt(
        self,
        call: _Call,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | bytes | None,
        url: str | None,
    ) -> UpstreamResponse:
        assert self._session is not None and self._slots is not None
        target = url if url is not None else self.base_url + path
        async with self._slots:
            # Measured once the slot is ours: waiting in the queues used part of the deadline.
            total = self._timeouts.total
            left = time_left(clock=self._clock)
            call.cut_by_deadline = left is not None and left < total
            if left is not None:
                if left <= 0:
                    raise _DeadlinePassed
                total = min(total, left)
            call.attempts += 1
            try:
                async with self._session.request(
                    method,
                    target,
                    params=params,
                    headers=headers,
                    data=data,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(
                        total=total, connect=min(self._timeouts.connect, total)
                    ),
                ) as response:
                    body = await self._read_body(response)
                    status = response.status
                    response_headers = response.headers
                    read_at = datetime.now(UTC)
            except TimeoutError as exc:
                why = " (all the request's deadline left)" if call.cut_by_deadline else ""
                raise UpstreamTimeout(
                    self.source,
                    f"{self.source.upstream} did not answer within {total:.3g} s{why}",
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
        return UpstreamResponse(self.source, status, response_headers, body, read_at=read_at)

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

    def _circuit_open(self, breaker: CircuitBreaker) -> UpstreamUnavailable:
        wait = breaker.seconds_until_probe()
        return UpstreamUnavailable(
            self.source,
            f"{self.source.upstream} failed repeatedly, so its circuit is open: "
            "not calling it until a probe finds it answering again",
            retry_after_seconds=max(1, math.ceil(wait)),
        )

    def _breaker_changed(self, state: BreakerState) -> None:
        self._observer.breaker_changed(self.source, state)


def _verdict(error: UpstreamError, call: _Call) -> Verdict:
    """What a failed call says about the source's health (see `sources.resilience.breaker`)."""
    if call.attempts == 0:
        return "neutral"
    if isinstance(error, UpstreamTimeout):
        return "neutral" if call.cut_by_deadline else "down"
    if isinstance(error, UpstreamUnavailable):
        return "down"
    return "up"


def _after(error: UpstreamError, attempts: int) -> UpstreamError:
    """`error`, saying how many attempts it took when there was more than one."""
    if attempts <= 1:
        return error
    again = type(error)(
        error.source,
        f"{error.message} (after {attempts} attempts)",
        status=error.status,
        retry_after_seconds=error.retry_after_seconds,
    )
    again.__cause__ = error.__cause__
    return again


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
