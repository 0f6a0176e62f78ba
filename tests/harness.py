"""Real servers on loopback for the tests: the four sandboxes and the graph under test.

Everything runs in the session's event loop: the sandboxes (`sources.*.sandbox`) on free ports,
and `create_app(settings)` served by uvicorn on another, so every test speaks HTTP to the server
and the server speaks HTTP to the sandboxes. Tests observe and disturb the sandboxes only through
their `/_sandbox/` control API, as an outside tool would.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import uvicorn

from resolvers.identity import issue_token
from resolvers.sources import SOURCES, SourceRegistry
from server import create_app, sandbox_settings
from settings import Settings
from sources.algod.sandbox import AlgodSandbox, AlgodSettings
from sources.calico.sandbox import CalicoSandbox
from sources.cardanobi.sandbox import CardanoBISandbox, CardanoBISettings
from sources.mesh.sandbox import MeshSandbox
from sources.sandboxing import start_sandbox
from tests.sandbox_control import SandboxControl

__all__ = [
    "CONDITIONS",
    "CURSOR_SECRET",
    "JWT_SECRET",
    "SENT",
    "TEST_RESILIENCE",
    "TEST_SANDBOX_HEADROOM",
    "GraphClient",
    "Noted",
    "SandboxConditions",
    "SandboxHandle",
    "Sandboxes",
    "SentRequest",
    "serve_graph",
    "start_sandboxes",
]

JWT_SECRET = "test-jwt-secret-0123456789abcdef0123456789"
CURSOR_SECRET = "test-cursor-secret-0123456789abcdef012345"
CALICO_TOKENS = {"alice": "sandbox-calico-alice", "bob": "sandbox-calico-bob"}
TEST_RESILIENCE: dict[str, Any] = {
    # Servers in tests share the sandboxes with tests that inject faults on purpose: a breaker
    # opened by one test must not fail the next one's upstream calls, and retry waits are kept
    # short. The session's sandboxes play neither free tier (TEST_SANDBOX_HEADROOM), so the
    # defaults made for those, CardanoBI's 1 request/s and algod's 8 calls at once, would only
    # slow the walks down and hide how much one request sends at once: both are test-only
    # figures here. Tests of these mechanisms set their own values
    # (tests/graph/test_free_tiers.py sets the defaults back, with the free tiers).
    "breaker_failure_threshold": 1000,
    "upstream_retry_base_seconds": 0.01,
    "cardanobi_rate_per_second": 1000,
    "algod_max_concurrency": 32,
}


TEST_SANDBOX_HEADROOM: dict[str, Any] = {
    # The session's sandboxes play the real services but for two limits of their free plans,
    # which every test that reads a few pages in a second would trip over: CardanoBI's
    # 1 request/s per key and a public algod's 10 requests in flight per client. The tests of
    # those limits set them back (`await clean.cardanobi.settings(plan="free")`); `reset`
    # restores this headroom.
    "cardanobi": CardanoBISettings(plan="unlimited"),
    "algod": AlgodSettings(max_concurrency=None),
}


Noted = tuple[tuple[str, dict[str, Any]], ...]
"""(sandbox name, faults or settings) pairs, by name."""


@dataclass
class SandboxConditions:
    """The faults and settings the tests set on the session's sandboxes, as they stand now
    (what each request the suite sent met: the differential test replays it under them)."""

    faults: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def snapshot(self) -> tuple[Noted, Noted]:
        def noted(by_name: dict[str, dict[str, Any]]) -> Noted:
            return tuple((name, dict(value)) for name, value in sorted(by_name.items()) if value)

        return noted(self.faults), noted(self.settings)


CONDITIONS = SandboxConditions()
"""The conditions of the session's sandboxes (`start_sandboxes`)."""


@dataclass
class SandboxHandle(SandboxControl):
    """One of the session's sandboxes: its control API, and its name among the upstreams."""

    name: str = ""
    #: Where the faults and settings set through this handle are noted (None: nowhere).
    noted: SandboxConditions | None = None

    async def faults(self, **faults: Any) -> None:
        await super().faults(**faults)
        if self.noted is not None:
            self.noted.faults[self.name] = dict(faults)  # they replace the faults before

    async def settings(self, **changes: Any) -> dict[str, Any]:
        settings = await super().settings(**changes)
        if self.noted is not None and changes:
            self.noted.settings.setdefault(self.name, {}).update(changes)
        return settings

    async def reset(self) -> None:
        await super().reset()
        if self.noted is not None:
            self.noted.faults.pop(self.name, None)
            self.noted.settings.pop(self.name, None)


@dataclass
class Sandboxes:
    algod: SandboxHandle
    cardanobi: SandboxHandle
    calico: SandboxHandle
    mesh: SandboxHandle

    def all(self) -> tuple[SandboxHandle, ...]:
        return (self.algod, self.cardanobi, self.calico, self.mesh)

    def settings(self, model: type[Settings] = Settings, **overrides: Any) -> Settings:
        """Settings (of `model`: `Settings.with_sources(...)` for more sources) pointing a
        server at these sandboxes with their credentials."""
        values: dict[str, Any] = {
            key.lower(): value
            for key, value in sandbox_settings({h.name: h.url for h in self.all()}).items()
        }
        values.update(jwt_secret=JWT_SECRET, cursor_secret=CURSOR_SECRET)
        values.update(TEST_RESILIENCE)
        # Counts per request stay exact: a test that wants the shared cache turns it on.
        values.update(public_cache_ttl_seconds=0)
        # A server on these sandboxes is a development one: GraphiQL and introspection on, as on
        # the embedded sandboxes (configured URLs alone would turn them off).
        values.update(graphiql=True, graphql_introspection=True)
        # Every test calls from 127.0.0.1, so the whole suite is one caller: a test of the
        # per-caller rate (tests/hostile/test_caller_rate.py) turns it on.
        values.update(caller_rate_per_second=0)
        values.update(overrides)
        return model(_env_file=None, **values)  # type: ignore[call-arg]

    async def reset(self) -> None:
        await asyncio.gather(*(handle.reset() for handle in self.all()))


@asynccontextmanager
async def start_sandboxes(http: aiohttp.ClientSession) -> AsyncIterator[Sandboxes]:
    running = {
        "algod": await start_sandbox(AlgodSandbox(settings=TEST_SANDBOX_HEADROOM["algod"])),
        "cardanobi": await start_sandbox(
            CardanoBISandbox(settings=TEST_SANDBOX_HEADROOM["cardanobi"])
        ),
        "calico": await start_sandbox(CalicoSandbox()),
        "mesh": await start_sandbox(MeshSandbox()),
    }
    try:
        yield Sandboxes(
            **{
                name: SandboxHandle(http, r.url, name, noted=CONDITIONS)
                for name, r in running.items()
            }
        )
    finally:
        for sandbox in running.values():
            await sandbox.close()


@dataclass(frozen=True)
class SentRequest:
    """One GraphQL request a `GraphClient` sent (the differential test replays them)."""

    query: str
    variables: dict[str, Any] | None
    headers: dict[str, str]
    faults: Noted = ()
    """The faults on the session's sandboxes when it was sent."""
    settings: Noted = ()
    """The settings the tests had changed on them."""


SENT: list[SentRequest] = []
"""Every request the session's `GraphClient`s sent, in order."""


@dataclass
class GraphClient:
    """Talks GraphQL over HTTP to one server under test."""

    url: str
    http: aiohttp.ClientSession

    @staticmethod
    def token(user: str, **claims: Any) -> str:
        return issue_token(JWT_SECRET, user, **claims)

    def headers(self, user: str | None = None, calico: str | bool | None = None) -> dict[str, str]:
        """Headers of `user` (a bearer token; their sandbox Calico token with `calico=True`)."""
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        if calico is True and user is not None:
            headers["X-Calico-Token"] = CALICO_TOKENS[user]
        elif isinstance(calico, str):
            headers["X-Calico-Token"] = calico
        return headers

    async def post(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        SENT.append(
            SentRequest(
                query,
                dict(variables) if variables is not None else None,
                {name: value for name, value in (headers or {}).items()},
                *CONDITIONS.snapshot(),
            )
        )
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        async with self.http.post(self.url, json=body, headers=headers) as response:
            return response.status, await response.json()

    async def query(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        *,
        user: str | None = None,
        calico: str | bool | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The response body; the HTTP status must be 200."""
        merged = {**self.headers(user, calico), **(headers or {})}
        status, body = await self.post(query, variables, headers=merged)
        assert status == 200, body
        return body

    async def data(self, query: str, variables: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        """The response's data, which must come without errors."""
        body = await self.query(query, variables, **kw)
        assert "errors" not in body, body["errors"]
        return body["data"]


@asynccontextmanager
async def serve_graph(
    settings: Settings,
    http: aiohttp.ClientSession,
    sources: SourceRegistry = SOURCES,
    **uvicorn_options: Any,
) -> AsyncIterator[GraphClient]:
    """`create_app(settings, sources)` served by uvicorn on a free loopback port
    (`uvicorn_options` override the quiet defaults, e.g. `log_level="debug", access_log=True`)."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it small responses stall on delayed ACKs (40 ms each).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "warning", "ws": "none", "access_log": False}
    app = create_app(settings, sources)
    config = uvicorn.Config(app, lifespan="on", **{**options, **uvicorn_options})
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if task.done():
            task.result()
        assert server.started, "the server under test did not start"
        yield GraphClient(f"http://127.0.0.1:{port}/graphql", http)
    finally:
        server.should_exit = True
        await task
        sock.close()
