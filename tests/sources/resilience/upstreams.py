"""Clients of the four session sandboxes over `HttpUpstream`s built for one test, and an observer
that records what the upstream layer reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sources.algod.client import AlgodClient
from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN
from sources.calico.client import CalicoClient
from sources.cardanobi.auth import AccessTokenCache, IdentityObserver
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.sandbox import SANDBOX_API_KEY, SANDBOX_API_SECRET
from sources.http import HttpUpstream
from sources.mesh.client import MeshClient
from sources.mesh.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from sources.observe import BreakerState, Outcome, ParseOrigin, PublicCache
from sources.source import Source
from tests.harness import Sandboxes
from tests.sources.building import identity as identity_of
from tests.sources.building import upstream_of

__all__ = ["Clients", "Recorder", "clients", "in_own_context"]

T = TypeVar("T")


@dataclass
class Recorder:
    """An `UpstreamObserver` that keeps every report."""

    finished: list[tuple[Source, str, Outcome]] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    retried: list[tuple[Source, str, Outcome]] = field(default_factory=list)
    breaker: list[tuple[Source, BreakerState]] = field(default_factory=list)
    cache: list[tuple[Source, str, bool]] = field(default_factory=list)
    parsed: list[tuple[Source, str, ParseOrigin]] = field(default_factory=list)

    def request_finished(
        self, source: Source, endpoint: str, outcome: Outcome, seconds: float
    ) -> None:
        self.finished.append((source, endpoint, outcome))
        self.seconds.append(seconds)

    def request_retried(self, source: Source, endpoint: str, reason: Outcome) -> None:
        self.retried.append((source, endpoint, reason))

    def breaker_changed(self, source: Source, state: BreakerState) -> None:
        self.breaker.append((source, state))

    def public_cache(
        self, source: Source, endpoint: str, hit: bool, *, cache: PublicCache = "public"
    ) -> None:
        self.cache.append((source, endpoint, hit))

    def answer_parsed(self, source: Source, endpoint: str, origin: ParseOrigin) -> None:
        self.parsed.append((source, endpoint, origin))

    def outcomes(self) -> list[Outcome]:
        return [outcome for _, _, outcome in self.finished]


@dataclass
class Clients:
    algod: AlgodClient
    cardanobi: CardanoBIClient
    calico: CalicoClient
    mesh: MeshClient
    upstreams: dict[Source, HttpUpstream]
    identity: HttpUpstream
    """CardanoBI's identity server, an upstream of its own."""

    def fresh_cardanobi(self) -> CardanoBIClient:
        """Another CardanoBI client on the same upstreams, with a token cache of its own."""
        return CardanoBIClient(
            self.upstreams[Source.CARDANO],
            identity=self.identity,
            api_key=SANDBOX_API_KEY,
            api_secret=SANDBOX_API_SECRET,
        )

    def token_cache(self) -> AccessTokenCache:
        """A new CardanoBI token cache on the same identity server."""
        return AccessTokenCache(
            self.identity, api_key=SANDBOX_API_KEY, api_secret=SANDBOX_API_SECRET
        )


@asynccontextmanager
async def clients(sandboxes: Sandboxes, **options: Any) -> AsyncIterator[Clients]:
    """The four clients, each over a new upstream to its sandbox built with `options`
    (`tests.sources.building`); CardanoBI's identity server gets the same options (its own
    breaker and rate budget, so)."""
    urls = {
        Source.ALGORAND: sandboxes.algod.url,
        Source.CARDANO: sandboxes.cardanobi.url,
        Source.CALICO: sandboxes.calico.url,
        Source.MESH: sandboxes.mesh.url,
    }
    upstreams = {source: upstream_of(source, url, **options) for source, url in urls.items()}
    # As the server wires it: the identity server's calls are heard, its breaker only logged.
    observer = options.get("observer")
    beside = {**options, "observer": IdentityObserver(observer) if observer else None}
    identity = identity_of(sandboxes.cardanobi.url, **beside)
    for http in (*upstreams.values(), identity):
        await http.start()
    try:
        yield Clients(
            algod=AlgodClient(upstreams[Source.ALGORAND], SANDBOX_ALGOD_TOKEN),
            cardanobi=CardanoBIClient(
                upstreams[Source.CARDANO],
                identity=identity,
                api_key=SANDBOX_API_KEY,
                api_secret=SANDBOX_API_SECRET,
            ),
            calico=CalicoClient(upstreams[Source.CALICO]),
            mesh=MeshClient(
                upstreams[Source.MESH],
                client_id=SANDBOX_CLIENT_ID,
                client_secret=SANDBOX_CLIENT_SECRET,
            ),
            upstreams=upstreams,
            identity=identity,
        )
    finally:
        for http in (*upstreams.values(), identity):
            await http.close()


async def in_own_context(body: Callable[[], Awaitable[T]]) -> T:
    """Run `body` in a task of its own, so the ContextVars it sets (a deadline, a request id)
    stay there, as they do in the server's per-request tasks."""
    return await asyncio.create_task(_run(body))


async def _run(body: Callable[[], Awaitable[T]]) -> T:
    return await body()
