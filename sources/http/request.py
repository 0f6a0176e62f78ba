"""The one value a call is: what to ask, how to read the answer, and what the layers may do.

A client builds an `UpstreamRequest` and hands it to `HttpUpstream.send`; every layer reads it
and passes it (or a copy with more headers, from `with_headers`) down. It is frozen, so no layer
can change what another one sees. `parse` turns the accepted answer into the client's record;
an answer it refuses (it raises an `UpstreamError`) is never kept in the shared cache.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Callable, Collection, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import quote

from sources.errors import UpstreamError
from sources.http.response import UpstreamResponse

__all__ = ["Auth", "Reading", "Refusal", "UpstreamRequest", "path_segment", "raw"]

T = TypeVar("T")

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})


class Auth(Protocol):
    """Credentials that may take more than one request (httpx's `Auth.auth_flow`, async)."""

    def flow(
        self, request: UpstreamRequest[Any]
    ) -> AsyncGenerator[UpstreamRequest[Any], UpstreamResponse]:
        """Yield `request` with credentials; the answer is sent back in. Yield again to send
        another request (a fresh token after a 401); end to let the last answer stand."""
        ...


Refusal = Callable[[UpstreamResponse], UpstreamError | None]
"""An upstream's own reading of a status its request does not accept: the error it stands for,
or None to leave it to `error_for_status`."""


def raw(response: UpstreamResponse) -> UpstreamResponse:
    """The parse of a raw call: the answer itself (sandbox controls, tests)."""
    return response


@dataclass(frozen=True, slots=True)
class Reading(Generic[T]):
    """A parse bound to the arguments it needs beside the answer: `func(*args, response)`.

    Unlike `functools.partial` it is equal to another reading of the same function and
    arguments, so the layers that share parsed answers (the cache of public reads and the
    single flight, keyed by the read and its parse) know two requests read an answer alike.
    """

    func: Callable[..., T]
    args: tuple[Any, ...] = ()

    def __call__(self, response: UpstreamResponse) -> T:
        return self.func(*self.args, response)


@dataclass(frozen=True, slots=True)
class UpstreamRequest(Generic[T]):
    """One call to an upstream, from the client down to the attempt."""

    method: str
    path: str = ""
    """Appended to the upstream's base URL, unless `url` is given."""
    _: KW_ONLY
    parse: Callable[[UpstreamResponse], T]
    """Reads an accepted answer into the client's value; raises an `UpstreamError` to refuse it.
    For a cacheable read, the value is shared: with every concurrent identical read, and for the
    TTL with later ones whose parse is equal (a `Reading`, or one function), so it must be
    immutable (frozen records, tuples), and the same for every user."""
    url: str | None = None
    """An absolute URL of the server's own configuration (never one an answer named)."""
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    data: Mapping[str, str] | bytes | None = None
    accept: Collection[int] = (200,)
    """The statuses that are answers; any other is the error `error_for_status` makes of it."""
    endpoint: str | None = None
    """The route template the observer sees (`GET /v2/accounts/{address}/assets`), never a
    concrete path, which may hold an address."""
    idempotent: bool | None = None
    """Whether the call may be sent again (default: GET and HEAD)."""
    cacheable: bool = False
    """A public read, the same for every user: a GET shared with concurrent identical reads and
    kept in the shared cache for its TTL. Never a custodial read."""
    auth: Auth | None = None
    refusal: Refusal | None = None
    """What this upstream means by a status outside `accept`, where that differs from HTTP's
    usual sense (Calico's end-user codes 600-699, a public algod's quota 403); read before
    `error_for_status`, so the breaker and the retries see the error it really is."""
    metered: bool = True
    """Whether it spends the upstream calls of the request it is made for: False for a
    credential fetched once for every caller (CardanoBI's token), which no request's estimate
    counts either."""

    def __repr__(self) -> str:
        # Headers, parameters, bodies and URLs may hold credentials or addresses.
        return f"UpstreamRequest({self.label})"

    @property
    def label(self) -> str:
        """The endpoint label metrics and logs use."""
        return self.endpoint or f"{self.method} (unlabelled)"

    @property
    def retryable(self) -> bool:
        """Whether sending it again is harmless (the caller's word, else the method's)."""
        if self.idempotent is not None:
            return self.idempotent
        return self.method in _IDEMPOTENT_METHODS

    @property
    def sharing_key(self) -> tuple[tuple[int, ...], Callable[[UpstreamResponse], T]]:
        """What, beside the cache key, two shared reads must have alike to share a value: the
        statuses they accept (an answer to one may be an error to the other) and the parse."""
        return tuple(sorted(self.accept)), self.parse

    @property
    def shared(self) -> bool:
        """Whether the cache and the single flight may answer it (a cacheable GET)."""
        return self.cacheable and self.method == "GET"

    def with_headers(
        self, headers: Mapping[str, str], *, accept: Collection[int] | None = None
    ) -> UpstreamRequest[T]:
        """A copy carrying `headers` too (and accepting `accept` instead, when given)."""
        return dataclasses.replace(
            self,
            headers={**(self.headers or {}), **headers},
            accept=self.accept if accept is None else accept,
        )


def path_segment(value: str) -> str:
    """`value` quoted as one URL path segment.

    Callers validate identifiers first, but a slip must not be able to reach another path on
    the upstream: `/`, `?` and `#` are quoted, and an empty, `.` or `..` segment (which URL
    normalisation would fold away, quoted or not) is a `ValueError`.
    """
    if value in ("", ".", ".."):
        raise ValueError(f"{value!r} cannot be a path segment")
    return quote(value, safe="")
