"""`HttpUpstream`: one upstream's session and its chain of layers, for the app's lifetime."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TypedDict, TypeVar, Unpack

import aiohttp

from sources.http.compose import Chain, compose
from sources.http.request import Auth, UpstreamRequest, raw
from sources.http.response import UpstreamResponse
from sources.http.setup import BARE_POLICY, Setup, Wiring
from sources.http.transport import open_session
from sources.observe import BreakerState
from sources.resilience.policy import SourcePolicy
from sources.source import Source

__all__ = ["HttpUpstream", "RawOptions"]

T = TypeVar("T")


class RawOptions(TypedDict, total=False):
    """What a raw call (`HttpUpstream.request`) may say besides its method and path."""

    url: str
    params: Mapping[str, str] | None
    headers: Mapping[str, str] | None
    data: Mapping[str, str] | bytes | None
    accept: Collection[int]
    endpoint: str
    idempotent: bool
    cacheable: bool
    auth: Auth


class HttpUpstream:
    """One upstream: its long-lived `aiohttp.ClientSession` and the layers every call crosses.

    Built with `BARE_POLICY` (the default) it makes one attempt per call with no breaker and no
    rate; the server builds each upstream from its configured `SourcePolicy`. `name` is how
    messages call it when it is not the source itself (CardanoBI's identity server).
    """

    def __init__(
        self,
        source: Source,
        base_url: str,
        policy: SourcePolicy = BARE_POLICY,
        wiring: Wiring | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self.source = source
        self.base_url = base_url.rstrip("/")
        self.name = name or source.upstream
        self._setup = Setup(source, self.name, self.base_url, policy, wiring or Wiring())
        self._session: aiohttp.ClientSession | None = None
        self._chain: Chain | None = None

    def __repr__(self) -> str:
        # The base URL may carry user:password.
        return f"<HttpUpstream for {self.name}>"

    @property
    def breaker_state(self) -> BreakerState:
        """The circuit's state now ("closed" when this upstream has no breaker)."""
        breaker = self._chain.breaker if self._chain is not None else None
        return breaker.breaker.state if breaker is not None else "closed"

    @property
    def started(self) -> bool:
        """Whether the session is open."""
        return self._session is not None

    async def start(self) -> None:
        """Open the session; call once, from the running event loop (the app's lifespan)."""
        if self._session is not None:
            return
        self._session = open_session(self._setup)
        self._chain = compose(self._setup, self._session)

    async def close(self) -> None:
        """Close the session and its connections."""
        session, self._session, self._chain = self._session, None, None
        if session is not None:
            await session.close()

    async def send(self, request: UpstreamRequest[T]) -> T:
        """`request` through every layer, answered by its `parse`; any failure is an
        `UpstreamError` (statuses outside `accept`, transport failures, timeouts, bodies over the
        cap, refusals by the breaker or the rate budget), after the retries the policy allows."""
        if self._chain is None:
            raise RuntimeError(f"{self.name} client used before start()")
        return await self._chain.top(request)

    async def request(
        self, method: str, path: str = "", **options: Unpack[RawOptions]
    ) -> UpstreamResponse:
        """A raw call: the accepted answer as it came (sandbox controls and tests; clients
        `send` requests that parse)."""
        return await self.send(UpstreamRequest(method, path, parse=raw, **options))
