"""The holdings graph: composition root and command line.

    python server.py                      serve http://127.0.0.1:8000/graphql (GraphiQL in a
                                          browser), on the embedded sandboxes for every
                                          upstream that has no URL configured
    python server.py --workers N          the same in N processes sharing the port (every
                                          upstream's URL must be configured)
    python server.py sandbox [--base-port N]   the four sandboxes alone (algod N, CardanoBI N+1,
                                          Calico N+2, Mesh N+3; default 8101), printing the
                                          KEY=VALUE settings that point a server at them
    python server.py token USER           a development bearer token for USER (JWT_SECRET)
    python server.py export-schema [--client-schema PATH]
                                          print the subgraph SDL (what `schema.graphql` holds)
                                          and write the client schema, without federation
                                          plumbing, to PATH (default schema.client.graphql)

`create_app(settings, sources)` builds the ASGI app serving a registry of sources (the four of
`resolvers/sources/` by default): the lifespan lets each source open its upstreams, one aiohttp
session each (and its embedded sandbox when its block has no URL), and closes them on shutdown;
each request gets a fresh `RequestContext` with new loaders.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import secrets
import signal
import socket
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from resolvers.context import GraphOptions, Services
from resolvers.cursors import CursorCodec
from resolvers.identity import TokenVerifier, issue_token
from resolvers.live import LiveHub, LivePolicy, ReadingCodec, Replication
from resolvers.sources import SOURCES, Definition, SourceRegistry
from schema import build_schema, schema
from schema.client import client_sdl
from schema.errors import describe
from settings import Settings
from sources.cache import MemoryCache, ParsedCache, RedisCache, ResponseCache
from sources.config import SourceConfig
from sources.http import HttpUpstream, Wiring
from sources.live import RedisLease, RedisRelay
from sources.observe import REQUEST_ID, UpstreamObserver
from sources.resilience.ratelimit import RateLimiter
from sources.resilience.shared_rate import RedisTokenBucket, budget_key, connect_redis
from sources.sandboxing import RunningSandbox, start_sandbox
from sources.source import Source
from telemetry.live import LiveMetrics
from telemetry.logging import configure_logging
from telemetry.metrics import CONTENT_TYPE, Metrics
from web import (
    AppState,
    BatchPolicy,
    CachePolicy,
    DocumentStore,
    GraphQLView,
    ManifestError,
    PersistedQueries,
    graphiql_assets,
    load_manifest,
)
from web.caller_rate import CallerRate, CallerRates, LocalCallerRates, RedisCallerRates
from web.compression import compression_middleware
from web.cors import CorsPolicy
from web.edge import EdgeConfig, EdgeLimits
from web.graphiql import GraphiQLPage
from web.health import Health
from web.middleware import BodyLimitMiddleware, RequestIdMiddleware
from web.response_limit import ResponseLimit

__all__ = [
    "app_from_environment",
    "cors_policy",
    "create_app",
    "edge_limits",
    "graph_options",
    "main",
    "open_services",
    "sandbox_settings",
    "uvicorn_config",
]

logger = logging.getLogger("holdings_graph")

_RESERVED_DESCRIPTORS = 64
"""Descriptors kept for everything but client and upstream connections: the listening socket,
Redis, logs, the embedded sandboxes, imports."""


def sandbox_settings(urls: Mapping[str, str], sources: SourceRegistry = SOURCES) -> dict[str, str]:
    """The settings that point a server at the sandboxes serving at `urls` (by upstream key):
    each source's URL and its sandbox's own credentials, as KEY=VALUE."""
    settings: dict[str, str] = {}
    for definition in sources:
        url = urls.get(definition.config.key)
        if url is not None:
            values = definition.config.sandbox_values(url)
            settings.update(definition.config().on_sandbox(url).environment(values))
    return settings


def graph_options(settings: Settings, sources: SourceRegistry = SOURCES) -> GraphOptions:
    """The graph's limits from `settings`, with what each of `sources` costs upstream."""
    return GraphOptions(
        max_first=settings.max_page_size,
        max_ids=settings.max_ids,
        portfolio_max_holdings=settings.portfolio_max_holdings,
        request_deadline_seconds=settings.request_deadline_seconds,
        max_query_depth=settings.max_query_depth,
        max_query_aliases=settings.max_query_aliases,
        max_query_tokens=settings.max_query_tokens,
        max_query_cost=settings.max_query_cost,
        max_query_selections=settings.max_query_selections,
        max_query_overlaps=settings.max_query_overlaps,
        max_response_fields=settings.max_response_fields,
        max_upstream_calls=settings.max_upstream_calls,
        compiled_execution=settings.compiled_execution,
        introspection=settings.effective_graphql_introspection,
        calls=sources.calls(settings.sources()),
    )


def _check_served(settings: Settings, sources: SourceRegistry) -> None:
    """Every source served has its block in the settings (`Settings.with_sources`)."""
    blocks = settings.sources()
    for definition in sources:
        block = blocks.get(definition.config.key)
        if not isinstance(block, definition.config):
            raise ValueError(
                f"the settings have no {definition.config.__name__} block for "
                f"{definition.source.value}: build them with Settings.with_sources("
                f"{definition.config.__name__})"
            )


@asynccontextmanager
async def open_services(
    settings: Settings,
    metrics: Metrics | None = None,
    sessions: set[str] | None = None,
    sources: SourceRegistry = SOURCES,
) -> AsyncIterator[Services]:
    """Everything that lives as long as the app; closed in reverse order on exit.

    `metrics` observes every upstream call; `sessions` holds the sources whose session is open.
    Each of `sources` runs on its embedded sandbox when its block has no URL.
    """
    _check_served(settings, sources)
    metrics = metrics or Metrics()
    open_sessions = sessions if sessions is not None else set()
    async with AsyncExitStack() as stack:
        configs = settings.sources()
        urls: dict[str, str] = {}
        for definition in sources:
            key = definition.config.key
            if configs[key].sandboxed:
                running: RunningSandbox = await start_sandbox(definition.sandbox())
                stack.push_async_callback(running.close)
                urls[key] = running.url
                # A sandboxed upstream is configured wholly by its sandbox: URL and credentials.
                configs[key] = configs[key].on_sandbox(running.url)
        if urls:
            logger.info(
                "embedded sandboxes: %s",
                ", ".join(f"{name} at {url}" for name, url in sorted(urls.items())),
            )
        shared = None
        if settings.redis_url is not None:
            # Every process on this Redis draws each upstream's rate from one budget.
            shared = connect_redis(settings.redis_url)
            stack.push_async_callback(shared.aclose)
        parsed, public_cache = _public_cache(settings)
        if public_cache is not None:
            stack.push_async_callback(public_cache.close)

        states: dict[Source, object] = {}
        for definition in sources:
            config = configs[definition.config.key]
            opener = _Opener(
                definition,
                config,
                settings,
                metrics,
                stack,
                open_sessions,
                shared,
                public_cache,
                parsed,
            )
            states[definition.source] = await definition.open(opener, config)
        services = Services(
            sources=sources,
            states=states,
            cursors=CursorCodec(settings.effective_cursor_secret.encode("utf-8")),
            verifier=TokenVerifier(
                secret=settings.effective_jwt_secret,
                public_key=settings.jwt_public_key,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
            ),
            options=graph_options(settings, sources),
            metrics=metrics,
        )
        yield services


@dataclass(frozen=True, slots=True)
class _Opener:
    """Opens one source's upstreams for the app's lifetime, each from the source's policy,
    closed on exit (what `SourceDefinition.open` is lent)."""

    definition: Definition
    config: SourceConfig
    settings: Settings
    metrics: Metrics
    stack: AsyncExitStack
    sessions: set[str]
    shared: Redis | None
    cache: ResponseCache | None
    parsed: ParsedCache | None

    @property
    def observer(self) -> UpstreamObserver:
        return self.metrics

    async def open(self, url: str) -> HttpUpstream:
        """The source's upstream: its session and breaker are the source's, in `/readyz`."""
        source = self.definition.source
        http = await self._start(url, self.metrics, None)
        self.metrics.breaker_changed(source, "closed")
        self.sessions.add(source.value)

        async def forget() -> None:
            self.sessions.discard(source.value)

        self.stack.push_async_callback(forget)
        return http

    async def open_beside(self, url: str, name: str, observer: UpstreamObserver) -> HttpUpstream:
        """A second upstream of the source (an identity server): its own session, breaker and
        rate budget, messages that use `name`, and calls reported through `observer`."""
        return await self._start(url, observer, name)

    async def _start(self, url: str, observer: UpstreamObserver, name: str | None) -> HttpUpstream:
        source = self.definition.source
        policy = self.settings.source_policy(self.definition.config.key)
        limiter: RateLimiter | None = None
        if self.shared is not None and policy.rate is not None:
            # What the upstream's plan counts requests by; only its hash reaches Redis.
            identity = self.config.budget_identity() or url
            if name is not None:
                identity = f"{name}\0{identity}"
            limiter = RedisTokenBucket(self.shared, budget_key(source, identity), policy.rate)
        wiring = Wiring(
            observer=observer,
            cache=self.cache,
            parsed=self.parsed,
            cache_ttl_seconds=self.settings.public_cache_ttl_seconds,
            rate_limiter=limiter,
            max_body_bytes=self.settings.upstream_max_body_bytes,
        )
        http = HttpUpstream(source, url, policy, wiring, name=name)
        await http.start()
        self.stack.push_async_callback(http.close)
        return http


def _public_cache(settings: Settings) -> tuple[ParsedCache | None, ResponseCache | None]:
    """The shared cache of public reads (docs/caching.md): parsed answers in this process, and
    with `REDIS_URL` their bytes in Redis behind them; none when its TTL is 0."""
    if settings.public_cache_ttl_seconds <= 0:
        return None, None
    parsed = ParsedCache(
        max_entries=settings.public_cache_max_entries, max_bytes=settings.public_cache_max_bytes
    )
    if settings.redis_url is not None:
        logger.info("public reads are cached in Redis for %g s", settings.public_cache_ttl_seconds)
        return parsed, RedisCache.from_url(settings.redis_url)
    return parsed, None


def live_policy(settings: Settings) -> LivePolicy:
    """How live subscriptions poll and what they may hold (docs/subscriptions.md)."""
    return LivePolicy(
        intervals={
            Source.ALGORAND: settings.live_algod_poll_seconds,
            Source.CARDANO: settings.live_cardanobi_poll_seconds,
            Source.CALICO: settings.live_calico_poll_seconds,
            Source.MESH: settings.live_mesh_poll_seconds,
        },
        lease_seconds=settings.live_lease_seconds,
        max_per_connection=settings.live_max_subscriptions_per_connection,
        max_per_user=settings.live_max_subscriptions_per_user,
        max_total=settings.live_max_subscriptions,
        queue_events=settings.live_queue_events,
        heartbeat_seconds=settings.live_heartbeat_seconds,
    )


@asynccontextmanager
async def open_live(
    settings: Settings, services: Services, metrics: Metrics
) -> AsyncIterator[LiveHub]:
    """The live hub for the app's lifetime; with `REDIS_URL`, replicas elect one poller per
    public account through a lease and share its readings (docs/subscriptions.md)."""
    policy = live_policy(settings)
    replication = None
    client: Redis | None = None
    if settings.redis_url is not None:
        # Its own client: pub/sub holds a connection, and a reading can be a megabyte.
        client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=1)
        owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        relay = RedisRelay(client, keep_seconds=max(60.0, 10 * policy.lease_seconds))
        replication = Replication(
            RedisLease(client, owner, policy.lease_seconds),
            relay,
            ReadingCodec(describe),
            policy.lease_seconds,
        )
    hub = LiveHub(services, policy, LiveMetrics(metrics.registry), replication)
    try:
        yield hub
    finally:
        await hub.close()
        if replication is not None:
            await relay.close()
        if client is not None:
            await client.aclose()


def _persisted_queries(settings: Settings) -> PersistedQueries:
    """Trusted documents only with `TRUSTED_DOCUMENTS`; else automatic persisted queries, in
    Redis with `REDIS_URL`, else in process; none when their store holds 0 entries."""
    if settings.trusted_documents is not None:
        try:
            trusted = load_manifest(settings.trusted_documents)
        except ManifestError as exc:
            raise SystemExit(f"invalid settings: trusted_documents: {exc}") from None
        logger.info(
            "trusted documents: only the %d operations of %s run", len(trusted), trusted.source
        )
        return PersistedQueries(trusted=trusted)
    if settings.persisted_queries_max_entries == 0:
        return PersistedQueries()
    cache: ResponseCache
    if settings.redis_url is not None:
        cache = RedisCache.from_url(settings.redis_url)
    else:
        cache = MemoryCache(
            max_entries=settings.persisted_queries_max_entries,
            max_bytes=settings.persisted_queries_max_bytes,
        )
    return PersistedQueries(DocumentStore(cache, settings.persisted_queries_ttl_seconds))


def create_app(settings: Settings, sources: SourceRegistry = SOURCES) -> Starlette:
    """The ASGI app for `settings`, serving `sources`: `/graphql` (POST, GET, GraphiQL),
    `/metrics`, `/healthz`, `/readyz`; every request gets a request id, CORS, compression and
    a body limit."""
    _check_served(settings, sources)
    state = AppState()
    metrics = Metrics()
    health = Health(state, metrics, list(sources.names))
    persisted = _persisted_queries(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            async with (
                open_services(settings, metrics, health.open_sessions, sources) as services,
                open_live(settings, services, metrics) as live,
            ):
                state.services, state.live = services, live
                yield
                state.services, state.live = None, None
            logger.info("upstream sessions closed")
        finally:
            await persisted.close()
            if caller_rates is not None:
                await caller_rates.close()

    async def metrics_route(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    caller_rates = _caller_rates(settings)
    graphiql = settings.effective_graphiql
    graphql = GraphQLView(
        state,
        schema=build_schema(sources),
        cache=CachePolicy(max_age=settings.cache_max_age_seconds),
        persisted=persisted,
        batching=BatchPolicy(max_operations=settings.batch_max_operations),
        caller_rates=caller_rates,
        heartbeat_seconds=settings.live_heartbeat_seconds,
        graphiql=GraphiQLPage() if graphiql else None,
        responses=ResponseLimit(max_bytes=settings.max_response_bytes),
        origins=cors_policy(settings),
    )
    # Outermost first. CORS outside the body limit: a page can read its 413 too.
    middleware = [Middleware(RequestIdMiddleware, observer=metrics.http_request)]
    if settings.compression:
        middleware.append(compression_middleware(settings.compression_min_bytes))
    middleware += [
        cors_policy(settings).middleware(),
        Middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes),
    ]
    app = Starlette(
        routes=[
            Route("/graphql", graphql),
            WebSocketRoute("/graphql", graphql),
            *([graphiql_assets()] if graphiql else []),
            Route("/metrics", metrics_route, methods=["GET"]),
            *health.routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    # `/graphql/` would redirect to a URL built from the request's Host header (an open
    # redirect for anyone who can set it): every other path is a plain 404.
    app.router.redirect_slashes = False
    return app


def _caller_rates(settings: Settings) -> CallerRates | None:
    """Each caller's request budget (docs/limits.md): in Redis with `REDIS_URL`, else in this
    process; None when `CALLER_RATE_PER_SECOND` is 0."""
    if settings.caller_rate_per_second <= 0:
        return None
    rate = CallerRate(
        settings.caller_rate_per_second,
        settings.caller_rate_burst or max(1, math.ceil(2 * settings.caller_rate_per_second)),
    )
    if settings.redis_url is not None:
        return RedisCallerRates(connect_redis(settings.redis_url), rate)
    return LocalCallerRates(rate)


def cors_policy(settings: Settings) -> CorsPolicy:
    """The origins whose pages may call the graph, as `settings` choose them."""
    origins, patterns = settings.effective_cors_origins
    return CorsPolicy(
        origins=origins,
        patterns=patterns,
        credentials=settings.cors_allow_credentials,
        max_age_seconds=settings.cors_max_age_seconds,
    )


def _load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_setting_named(error['loc'])}: {error['msg']}"
            for error in exc.errors(include_input=False, include_url=False)
        )
        raise SystemExit(f"invalid settings: {problems}") from None


def _setting_named(loc: tuple[int | str, ...]) -> str:
    """The setting an error is about: a block's field by its flat name (`algod_url`), not its
    place (`algod.algod_url`)."""
    return str(loc[-1]) if loc else "settings"


def app_from_environment() -> Starlette:
    """The app of one worker process (`--workers N`): uvicorn imports and calls this in each
    worker, which reads the settings (its environment is the parent's) and sets up its logs."""
    settings = _load_settings()
    configure_logging(settings.log_level, settings.log_format, REQUEST_ID.get)
    return create_app(settings)


def _refuse_sandboxed_workers(settings: Settings) -> None:
    if settings.workers > 1 and settings.sandboxed:
        names = ", ".join(sorted(settings.sandboxed))
        raise SystemExit(
            f"--workers {settings.workers}: every worker would start its own embedded sandboxes "
            f"for {names}, each with its own state; run `python server.py sandbox` once and set "
            "the KEY=VALUE lines it prints (with JWT_SECRET and CURSOR_SECRET), or serve one worker"
        )


def _serve(arguments: argparse.Namespace) -> None:
    import uvicorn

    overrides: dict[str, Any] = {}
    if arguments.host:
        overrides["host"] = arguments.host
    if arguments.port is not None:
        overrides["port"] = arguments.port
    if arguments.workers is not None:
        overrides["workers"] = arguments.workers
    settings = _load_settings(**overrides)
    _refuse_sandboxed_workers(settings)
    configure_logging(settings.log_level, settings.log_format, REQUEST_ID.get)
    where = f"http://{settings.host}:{settings.port}/graphql"
    browser = " (open it in a browser for GraphiQL)" if settings.effective_graphiql else ""
    print(f"holdings graph: serving {where}{browser}", flush=True)
    if settings.sandboxed:
        names = ", ".join(sorted(settings.sandboxed))
        print(f"upstreams on embedded sandboxes (no URL configured): {names}", flush=True)
    if settings.all_sandboxed:
        print("a bearer token for the sandbox user alice: python server.py token alice", flush=True)
    print(_switches(settings), flush=True)
    if settings.workers > 1:
        print(f"{settings.workers} worker processes", flush=True)
    config = uvicorn_config(settings)
    server = uvicorn.Server(config)
    try:
        if settings.workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:  # uvicorn.run's own behaviour: a second Ctrl-C ends quietly
        pass
    if not server.started and settings.workers == 1:
        raise SystemExit(3)


def uvicorn_config(settings: Settings) -> EdgeConfig:
    """How `python server.py` serves: uvicorn with httptools and the edge limits
    (`web/edge.py`). With `--workers N`, workers are new processes: uvicorn imports the app
    factory in each, and they read the same environment (the CLI's --host/--port/--workers only
    concern the parent)."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        # Our handler on the root logger formats uvicorn's records too (JSON by default).
        "log_config": None,
        "lifespan": "on",
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        "timeout_graceful_shutdown": _graceful_seconds(settings),
    }
    edge = edge_limits(settings)
    if settings.workers > 1:
        return EdgeConfig(
            "server:app_from_environment",
            edge=edge,
            factory=True,
            workers=settings.workers,
            # uvicorn kills a worker that has not answered its health check within 5 s; a
            # worker importing the app on a loaded machine can take longer than that, and was
            # then killed and restarted over and over.
            timeout_worker_healthcheck=_WORKER_STARTUP_SECONDS,
            **options,
        )
    return EdgeConfig(create_app(settings), edge=edge, **options)


def edge_limits(settings: Settings) -> EdgeLimits:
    """The settings' edge limits, the connection cap lowered to what this process's file
    descriptors can hold beside its upstream connections."""
    return EdgeLimits(
        max_header_bytes=settings.max_header_bytes,
        max_header_count=settings.max_header_count,
        header_timeout=settings.header_timeout_seconds,
        body_timeout=settings.body_timeout_seconds,
        write_timeout=settings.write_timeout_seconds,
        max_connections=_connection_cap(settings),
    )


def _graceful_seconds(settings: Settings) -> int:
    """How long a stopping server waits for requests in flight: every query ends within its
    deadline, while an event stream would never end by itself (uvicorn then closes it)."""
    return int(settings.request_deadline_seconds) + 1


_WORKER_STARTUP_SECONDS = 60
"""How long a new worker process may take to start before uvicorn gives up on it."""


def _connection_cap(settings: Settings) -> int:
    try:
        import resource
    except ImportError:  # not on POSIX: nothing to read
        return settings.max_connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and hard != resource.RLIM_INFINITY and soft < hard:
        # What most servers do at start (Go's runtime does it for every program).
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return settings.max_connections
    upstream = sum(settings.source_policy(key).max_concurrency for key in settings.sources())
    room = max(8, soft - upstream - _RESERVED_DESCRIPTORS)
    if room < settings.max_connections:
        logger.warning(
            "MAX_CONNECTIONS=%d lowered to %d: this process may open %d files, and its upstream "
            "connections and own files need %d",
            settings.max_connections,
            room,
            soft,
            upstream + _RESERVED_DESCRIPTORS,
        )
        return room
    return settings.max_connections


def _switches(settings: Settings) -> str:
    """One line saying what a browser gets: GraphiQL, introspection, the origins allowed."""

    def state(on: bool, name: str) -> str:
        return f"on ({name}=false turns it off)" if on else f"off ({name}=true turns it on)"

    return (
        f"GraphiQL {state(settings.effective_graphiql, 'GRAPHIQL')}; introspection "
        f"{state(settings.effective_graphql_introspection, 'GRAPHQL_INTROSPECTION')}; pages "
        f"allowed to call from other origins: {cors_policy(settings).describe()} "
        "(CORS_ALLOW_ORIGINS, CORS_ALLOW_ORIGIN_PATTERNS)"
    )


async def _run_sandboxes(base_port: int, sources: SourceRegistry = SOURCES) -> None:
    running: list[RunningSandbox] = []
    urls: dict[str, str] = {}
    try:
        for offset, definition in enumerate(sources):
            port = base_port + offset if base_port else 0
            running.append(await start_sandbox(definition.sandbox(), port=port))
            urls[definition.config.key] = running[-1].url
        for key, value in sandbox_settings(urls).items():
            print(f"{key}={value}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        for sandbox in running:
            await sandbox.close()


def _token(arguments: argparse.Namespace) -> None:
    settings = _load_settings()
    secret = settings.effective_jwt_secret
    if secret is None:
        raise SystemExit(
            "token: needs JWT_SECRET (HS256); with JWT_PUBLIC_KEY, tokens come from your "
            "identity provider"
        )
    print(
        issue_token(
            secret, arguments.user, audience=settings.jwt_audience, issuer=settings.jwt_issuer
        )
    )


def _export_schema(client_path: str) -> None:
    sys.stdout.write(schema.as_str() + "\n")
    Path(client_path).write_text(client_sdl(schema._schema), encoding="utf-8")
    print(f"export-schema: wrote the client schema to {client_path}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="server.py", description="The holdings graph.")
    parser.add_argument("--host", help="listen address (default HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default PORT or 8000)")
    parser.add_argument(
        "--workers", type=int, help="server processes sharing the port (default WORKERS or 1)"
    )
    commands = parser.add_subparsers(dest="command")
    sandbox = commands.add_parser("sandbox", help="run the four sandboxes alone")
    sandbox.add_argument("--base-port", type=int, default=8101, help="algod's port; 0: any")
    token = commands.add_parser("token", help="print a development bearer token")
    token.add_argument("user", help="the user id (the token's sub)")
    export = commands.add_parser(
        "export-schema", help="print the subgraph SDL, write the client schema"
    )
    export.add_argument(
        "--client-schema",
        default="schema.client.graphql",
        help="where to write the client schema (default: schema.client.graphql)",
    )
    arguments = parser.parse_args(argv)
    if arguments.command == "sandbox":
        asyncio.run(_run_sandboxes(arguments.base_port))
    elif arguments.command == "token":
        _token(arguments)
    elif arguments.command == "export-schema":
        _export_schema(arguments.client_schema)
    else:
        _serve(arguments)


if __name__ == "__main__":
    main()
