"""What every sandbox shares: request counting, fault injection, the `/_sandbox/` control API.

A sandbox is an `aiohttp.web` application that plays one upstream (SANDBOX.md). Each upstream
package subclasses `Sandbox` with its routes, its own error bodies, its own malformed body and,
where the real service limits its clients (a plan's rate, a concurrency cap), its gateway
(`Sandbox.admit`); `build_app` wraps them in a middleware that counts every upstream request by
route template and status, tracks how many run at once, and applies the injected faults:

    GET  /_sandbox/stats   {"total": n, "max_in_flight": k, "last_request_id": "…" | null,
                            "routes": {"GET /v2/accounts/{address}/assets": {"200": 10}}}
    POST /_sandbox/reset   zero the counters, forget per-sandbox state, restore start-up faults
                           and settings; `max_in_flight` restarts from the requests still running
    POST /_sandbox/faults  {"latency_ms": 50 | [min, max], "status": 503, "rate": 1.0,
                            "retry_after": 2, "malformed": true, "drop": true,
                            "slow_body_ms": 5000, "ignore_paging": true, "path": "/assets",
                            "route": "GET /v2/accounts/{address}", "query": "next=",
                            "count": 2,
                            "body": "<html>…", "content_type": "text/html"}
    GET  /_sandbox/settings {"settings": {...}}: how the sandbox plays its upstream
    POST /_sandbox/settings {"plan": "dapp"}: change some settings (the others stay); the
                           defaults are the real service's behaviour
    POST /_sandbox/arrivals {"record": true}: from now on, note when each upstream request
                           arrives (false: stop); `reset` stops and forgets
    GET  /_sandbox/arrivals {"recording": true, "arrivals": [{"route": "GET /api/…", "at": 12.5}]}

Control requests are not counted. Every fault, latency included, applies only to the requests
whose path contains `path` (if given), whose route template is `route` (if given), whose query
string contains `query` (if given), and to a `rate` fraction of those, and, with `count`, only
to the next `count` such requests (so "fails twice, then answers" is exact). `body` answers
exactly that text (UTF-8) as `content_type` (default `application/json`) with `status`
(default 200), in place of the upstream's own answer. `status` is one the sandbox's upstream
can send (`Sandbox.fault_statuses`: 100..599, Calico's end-user codes up to 699). Fault
decisions use a seeded random generator, so a run with the same requests injects the same
faults. A request the sandbox's gateway refuses on arrival (a plan's rate limit) gets no fault.
`last_request_id` is the `X-Request-Id` of the last upstream request served (null if it had
none). Arrivals (`at`: seconds on the sandbox's monotonic clock, as each request reaches it,
before any injected latency) let a test check an upstream's rate from the outside, across
every process that calls it; the last `MAX_ARRIVALS` are kept.

Fault and settings documents are pydantic models in strict mode: a wrong type (`true` for a
number, `"5"` for 5) or an unknown key is refused with a 400 that names it.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import socket
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar, Self

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sources.source import Source

__all__ = [
    "MAX_ARRIVALS",
    "Faults",
    "RunningSandbox",
    "Sandbox",
    "SandboxSettings",
    "active_faults",
    "build_app",
    "dumps_exact",
    "json_response",
    "start_sandbox",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_TOKEN_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+")
"""A bare media type (`type/subtype`, RFC 9110 tokens): aiohttp refuses parameters here."""

MAX_ARRIVALS = 10_000
"""How many arrival times a recording sandbox keeps (the oldest go first)."""

_PAUSE_STEP = 0.02
"""How often an injected delay checks whether the client is still there, in seconds."""


class _Strict(BaseModel):
    """A control document: strict JSON types (no `true` for 1, no `"5"` for 5), no stray keys."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    @classmethod
    def from_json(cls, body: Any) -> Self:
        """Validate a control document; `ValueError` names the bad keys or values."""
        if not isinstance(body, dict):
            raise ValueError(f"the {cls._what} body must be a JSON object")
        try:
            return cls.model_validate(body)
        except ValidationError as exc:
            raise ValueError(_described(exc, cls._what)) from None

    _what: ClassVar[str] = "control"


def _described(error: ValidationError, what: str) -> str:
    problems = error.errors()
    unknown = [str(p["loc"][0]) for p in problems if p["type"] == "extra_forbidden"]
    if unknown:
        return f"unknown {what} keys: {', '.join(sorted(unknown))}"
    return "; ".join(
        f"{'.'.join(str(part) for part in p['loc']) or what}: {p['msg']}, not {p['input']!r}"
        for p in problems
    )


class Faults(_Strict):
    """Injected misbehaviour; every field optional, as `POST /_sandbox/faults` takes it."""

    _what: ClassVar[str] = "fault"

    latency_ms: tuple[int, int] | None = None
    #: Any status a sandbox might play (Calico's end-user codes go up to 699); each sandbox
    #: says which it answers (`Sandbox.fault_statuses`).
    status: int | None = Field(None, ge=100, le=699)
    rate: float = Field(1.0, ge=0, le=1)
    retry_after: int | None = Field(None, ge=0)
    malformed: bool = False
    drop: bool = False
    slow_body_ms: int | None = Field(None, ge=0)
    ignore_paging: bool = False
    path: str | None = None
    #: A route template as `stats` names it (`GET /v2/accounts/{address}`): unlike `path`,
    #: which matches any path containing it, only that route.
    route: str | None = None
    #: Only requests whose query string contains this (as sent, e.g. `next=` for algod's
    #: later pages, `cursor=` for Calico's).
    query: str | None = None
    count: int | None = Field(None, ge=0)
    body: str | None = None
    content_type: str = Field("application/json", pattern=f"^{_TOKEN_TYPE.pattern}$")

    @field_validator("latency_ms", mode="before")
    @classmethod
    def _latency(cls, value: Any) -> Any:
        """`50` means `[50, 50]`; a range must be two whole numbers >= 0, low first."""
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return (value, value)
        if (
            isinstance(value, list | tuple)
            and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
            and value[0] <= value[1]
        ):
            return tuple(value)
        if value is None:
            return None
        raise ValueError("must be a whole number or [min, max] of whole numbers >= 0")

    def selects(self, request: web.Request, route: str) -> bool:
        """Whether `request` (of `route`) is one these faults are limited to."""
        return (
            (self.path is None or self.path in request.path)
            and (self.route is None or self.route == route)
            and (self.query is None or self.query in request.query_string)
        )


class SandboxSettings(_Strict):
    """How a sandbox plays its upstream where the real service can behave several ways
    (a plan's rate limit, an optional feature): `GET`/`POST /_sandbox/settings`. A sandbox with
    such choices subclasses this; the defaults are always what the real service does."""

    _what: ClassVar[str] = "setting"


class Sandbox:
    """One upstream's play-acting: its routes, its error bodies, its per-run state."""

    source: Source
    #: The statuses `POST /_sandbox/faults` may inject: HTTP's own unless the upstream has more.
    fault_statuses: ClassVar[range] = range(100, 600)
    #: How the sandbox plays its upstream now (`/_sandbox/settings`); `reset` restores the
    #: settings it was started with.
    settings: SandboxSettings = SandboxSettings()

    def routes(self) -> Iterable[web.RouteDef]:
        """The upstream's own routes."""
        raise NotImplementedError

    def control_routes(self) -> Iterable[web.RouteDef]:
        """Extra `/_sandbox/...` routes this sandbox offers (not counted)."""
        return ()

    def error_response(self, status: int) -> web.Response:
        """The body the real upstream sends with `status` (used for injected faults)."""
        return web.json_response({"message": f"sandbox fault {status}"}, status=status)

    def malformed_response(self, request: web.Request) -> web.Response:
        """A 200 whose body is JSON but not the documented shape."""
        return web.json_response({"unexpected": True})

    def admit(self, request: web.Request) -> web.StreamResponse | None:
        """What the upstream's gateway answers `request` on arrival, before any injected
        fault or latency (a rate or concurrency limit), or None to let it through. A request
        let through is `release`d when it ends."""
        return None

    def release(self, request: web.Request) -> None:
        """`request`, admitted, has ended (however it ended)."""

    def reset(self) -> None:
        """Forget per-run state (for example refresh timestamps)."""


@dataclass
class _State:
    baseline: Faults
    seed: int
    #: The settings the sandbox was started with, which `reset` restores.
    settings: SandboxSettings
    faults: Faults = field(init=False)
    rng: random.Random = field(init=False)
    routes: defaultdict[str, defaultdict[str, int]] = field(init=False)
    total: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    #: How many more matching requests the faults apply to (None: all of them).
    remaining: int | None = None
    last_request_id: str | None = None
    #: Arrival times by route, while a test asked for them (None: not recording).
    arrivals: deque[tuple[str, float]] | None = None

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.set_faults(self.baseline)
        self.last_request_id = None
        self.arrivals = None
        self.rng = random.Random(self.seed)
        self.routes = defaultdict(lambda: defaultdict(int))
        self.total = 0
        # Requests still running (a slow body from the test before) are still in flight: they
        # count down when they end, so `in_flight` stays true and the next peak starts from them.
        self.max_in_flight = self.in_flight

    def set_faults(self, faults: Faults) -> None:
        self.faults = faults
        self.remaining = faults.count

    def take_fault(self) -> bool:
        """Whether the faults still apply to one more request (spending one of `count`)."""
        if self.remaining is None:
            return True
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True

    def count(self, route: str, outcome: str) -> None:
        self.total += 1
        self.routes[route][outcome] += 1

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "routes": {route: dict(outcomes) for route, outcomes in self.routes.items()},
            "max_in_flight": self.max_in_flight,
            "last_request_id": self.last_request_id,
        }


_STATE = web.AppKey("sandbox_state", _State)
_SANDBOX = web.AppKey("sandbox", Sandbox)
_ACTIVE = web.RequestKey("sandbox_active_faults", Faults)


def active_faults(request: web.Request) -> Faults | None:
    """The faults that apply to this request, if any (for handler-level faults such as
    `ignore_paging`)."""
    return request.get(_ACTIVE)


def build_app(sandbox: Sandbox, *, faults: Faults | None = None, seed: int = 0) -> web.Application:
    """The sandbox as an application; `faults` are start-up knobs that `reset` restores."""
    app = web.Application(middlewares=[_sandbox_middleware])
    app[_STATE] = _State(baseline=faults or Faults(), seed=seed, settings=sandbox.settings)
    app[_SANDBOX] = sandbox
    app.add_routes(
        [
            web.get("/_sandbox/stats", _stats),
            web.post("/_sandbox/reset", _reset),
            web.post("/_sandbox/faults", _set_faults),
            web.get("/_sandbox/settings", _settings),
            web.post("/_sandbox/settings", _set_settings),
            web.get("/_sandbox/arrivals", _arrivals),
            web.post("/_sandbox/arrivals", _record_arrivals),
            *sandbox.control_routes(),
            *sandbox.routes(),
        ]
    )
    return app


async def _stats(request: web.Request) -> web.Response:
    return web.json_response(request.app[_STATE].snapshot())


async def _reset(request: web.Request) -> web.Response:
    state = request.app[_STATE]
    state.reset()
    sandbox = request.app[_SANDBOX]
    sandbox.settings = state.settings
    sandbox.reset()
    return web.json_response({"reset": True})


async def _set_faults(request: web.Request) -> web.Response:
    sandbox = request.app[_SANDBOX]
    try:
        faults = Faults.from_json(await _json(request))
        if faults.status is not None and faults.status not in sandbox.fault_statuses:
            low, high = sandbox.fault_statuses.start, sandbox.fault_statuses.stop - 1
            raise ValueError(
                f"status: {sandbox.source.upstream} answers statuses {low}..{high}, "
                f"not {faults.status}"
            )
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    request.app[_STATE].set_faults(faults)
    return web.json_response({"faults": faults.model_dump(mode="json")})


async def _settings(request: web.Request) -> web.Response:
    return web.json_response({"settings": request.app[_SANDBOX].settings.model_dump(mode="json")})


async def _set_settings(request: web.Request) -> web.Response:
    """Change some settings, keeping the others; `reset` restores the start-up ones."""
    sandbox = request.app[_SANDBOX]
    current = sandbox.settings
    try:
        changes = await _json(request)
        if not isinstance(changes, dict):
            raise ValueError("the settings body must be a JSON object")
        sandbox.settings = type(current).from_json({**current.model_dump(), **changes})
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response({"settings": sandbox.settings.model_dump(mode="json")})


async def _json(request: web.Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise ValueError("the body must be JSON") from None


async def _arrivals(request: web.Request) -> web.Response:
    arrivals = request.app[_STATE].arrivals
    return web.json_response(
        {
            "recording": arrivals is not None,
            "arrivals": [{"route": route, "at": at} for route, at in arrivals or ()],
        }
    )


async def _record_arrivals(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        body = None
    record = body.get("record") if isinstance(body, dict) else None
    if not isinstance(record, bool):
        return web.json_response({"error": 'the body must be {"record": true|false}'}, status=400)
    request.app[_STATE].arrivals = deque(maxlen=MAX_ARRIVALS) if record else None
    return web.json_response({"recording": record})


def _route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    template = resource.canonical if resource is not None else "<unmatched>"
    return f"{request.method} {template}"


@web.middleware
async def _sandbox_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/_sandbox/"):
        return await handler(request)
    state = request.app[_STATE]
    sandbox = request.app[_SANDBOX]
    route = _route_template(request)
    if state.arrivals is not None:
        state.arrivals.append((route, time.monotonic()))
    state.last_request_id = request.headers.get("X-Request-Id")
    refusal = sandbox.admit(request)
    if refusal is not None:
        state.count(route, str(refusal.status))
        return refusal
    faults = state.faults
    applies = (
        faults.selects(request, route)
        and (faults.rate >= 1.0 or state.rng.random() < faults.rate)
        and state.take_fault()
    )
    state.in_flight += 1
    state.max_in_flight = max(state.max_in_flight, state.in_flight)
    try:
        if not applies:
            return await _handle(handler, request, state, route)
        return await _faulted(handler, request, state, route, faults)
    finally:
        state.in_flight -= 1
        sandbox.release(request)


async def _faulted(
    handler: Handler, request: web.Request, state: _State, route: str, faults: Faults
) -> web.StreamResponse:
    sandbox = request.app[_SANDBOX]
    request[_ACTIVE] = faults
    # Latency is a fault like the others: limited by `path`, `route` and `rate`.
    if faults.latency_ms is not None:
        low, high = faults.latency_ms
        await _pause(request, state.rng.uniform(low, high) / 1000)
    if faults.drop:
        state.count(route, "dropped")
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    response: web.StreamResponse
    if faults.body is not None:
        response = web.Response(
            body=faults.body.encode("utf-8"),
            status=faults.status or 200,
            content_type=faults.content_type,
        )
        if faults.retry_after is not None:
            response.headers["Retry-After"] = str(faults.retry_after)
    elif faults.status is not None:
        response = sandbox.error_response(faults.status)
        if faults.retry_after is not None:
            response.headers["Retry-After"] = str(faults.retry_after)
    elif faults.malformed:
        response = sandbox.malformed_response(request)
    else:
        response = await _handle(handler, request, state, route)
    if faults.body is not None or faults.status is not None or faults.malformed:
        state.count(route, str(response.status))
    if faults.slow_body_ms and isinstance(response, web.Response):
        return await _trickle(request, response, faults.slow_body_ms)
    return response


async def _handle(
    handler: Handler, request: web.Request, state: _State, route: str
) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        state.count(route, str(exc.status))
        raise
    state.count(route, str(response.status))
    return response


async def _trickle(
    request: web.Request, response: web.Response, delay_ms: int
) -> web.StreamResponse:
    """Send the headers and half the body at once, the rest after `delay_ms`."""
    body = response.body if isinstance(response.body, bytes) else b""
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    half = len(body) // 2
    try:
        await stream.write(body[:half])
        await _pause(request, delay_ms / 1000)
        await stream.write(body[half:])
        await stream.write_eof()
    except ConnectionResetError:
        pass  # the client gave up waiting, which is what a slow body is for
    return stream


async def _pause(request: web.Request, seconds: float) -> None:
    """Sleep `seconds`, or less if the client hangs up first.

    An injected delay exists to make the client wait; once the client has given up (its
    timeout), the request would otherwise go on counting as in flight into the next test.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(min(left, _PAUSE_STEP))


def dumps_exact(value: Any) -> str:
    """JSON text in which a `Decimal` is written as the number it is, digit for digit
    (the way a real upstream writes a double such as 0.260325)."""
    out: list[str] = []
    _encode(value, out)
    return "".join(out)


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        out.append(str(value))
    elif isinstance(value, str):
        out.append(json.dumps(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(",")
            out.append(json.dumps(str(key)))
            out.append(":")
            _encode(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def json_response(
    value: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A JSON response written with `dumps_exact`."""
    return web.Response(
        text=dumps_exact(value), status=status, content_type="application/json", headers=headers
    )


@dataclass
class RunningSandbox:
    """A sandbox serving on a loopback port."""

    sandbox: Sandbox
    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def close(self) -> None:
        await self.runner.cleanup()


async def start_sandbox(
    sandbox: Sandbox,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: Faults | None = None,
    seed: int = 0,
) -> RunningSandbox:
    """Serve `sandbox` on `host:port` (port 0: any free port) until `close()`."""
    runner = web.AppRunner(build_app(sandbox, faults=faults, seed=seed), access_log=None)
    await runner.setup()
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and
    # without it small responses stall on delayed ACKs (40 ms each).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    site = web.SockSite(runner, sock)
    await site.start()
    return RunningSandbox(sandbox, runner, host, sock.getsockname()[1])
