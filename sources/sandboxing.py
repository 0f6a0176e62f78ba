"""What every sandbox shares: request counting, fault injection, the `/_sandbox/` control API.

A sandbox is an `aiohttp.web` application that plays one upstream (SANDBOX.md). Each upstream
package subclasses `Sandbox` with its routes, its own error bodies and its own malformed body;
`build_app` wraps them in a middleware that counts every upstream request by route template and
status, tracks how many run at once, and applies the injected faults:

    GET  /_sandbox/stats   {"total": n, "max_in_flight": k, "last_request_id": "…" | null,
                            "routes": {"GET /v2/accounts/{address}/assets": {"200": 10}}}
    POST /_sandbox/reset   zero the counters, forget per-sandbox state, restore start-up faults;
                           `max_in_flight` restarts from the requests still running
    POST /_sandbox/faults  {"latency_ms": 50 | [min, max], "status": 503, "rate": 1.0,
                            "retry_after": 2, "malformed": true, "drop": true,
                            "slow_body_ms": 5000, "ignore_paging": true, "path": "/assets",
                            "count": 2, "body": "<html>…", "content_type": "text/html"}
    POST /_sandbox/arrivals {"record": true}: from now on, note when each upstream request
                           arrives (false: stop); `reset` stops and forgets
    GET  /_sandbox/arrivals {"recording": true, "arrivals": [{"route": "GET /api/…", "at": 12.5}]}

Control requests are not counted. Every fault, latency included, applies only to the requests
whose path contains `path` (if given) and to a `rate` fraction of those, and, with `count`, only
to the next `count` such requests (so "fails twice, then answers" is exact). `body` answers
exactly that text (UTF-8) as `content_type` (default `application/json`) with `status` (default
200), in place of the upstream's own answer. Fault decisions use a seeded random generator, so a
run with the same requests injects the same faults. `last_request_id` is the `X-Request-Id` of
the last upstream request served (null if it had none). Arrivals (`at`: seconds on the
sandbox's monotonic clock, as each request reaches it, before any injected latency) let a test
check an upstream's rate from the outside, across every process that calls it; the last
`MAX_ARRIVALS` are kept.
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
from typing import Any

from aiohttp import web

from sources.source import Source

__all__ = [
    "MAX_ARRIVALS",
    "Faults",
    "RunningSandbox",
    "Sandbox",
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


@dataclass(frozen=True, slots=True)
class Faults:
    """Injected misbehaviour; every field optional, as `POST /_sandbox/faults` takes it."""

    latency_ms: tuple[int, int] | None = None
    status: int | None = None
    rate: float = 1.0
    retry_after: int | None = None
    malformed: bool = False
    drop: bool = False
    slow_body_ms: int | None = None
    ignore_paging: bool = False
    path: str | None = None
    count: int | None = None
    body: str | None = None
    content_type: str = "application/json"

    @classmethod
    def from_json(cls, body: Any) -> Faults:
        """Validate a faults document; `ValueError` names the bad key or value."""
        if not isinstance(body, dict):
            raise ValueError("the faults body must be a JSON object")
        unknown = set(body) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        latency = body.get("latency_ms")
        if latency is not None:
            latency = _latency(latency)
        status = body.get("status")
        if status is not None and not (_is_int(status) and 100 <= status <= 599):
            raise ValueError(f"status must be an HTTP status code, not {status!r}")
        rate = body.get("rate", 1.0)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ValueError(f"rate must be a number from 0 to 1, not {rate!r}")
        for key in ("retry_after", "slow_body_ms"):
            value = body.get(key)
            if value is not None and not (_is_int(value) and value >= 0):
                raise ValueError(f"{key} must be a whole number >= 0, not {value!r}")
        for key in ("malformed", "drop", "ignore_paging"):
            if not isinstance(body.get(key, False), bool):
                raise ValueError(f"{key} must be true or false, not {body[key]!r}")
        path = body.get("path")
        if path is not None and not isinstance(path, str):
            raise ValueError(f"path must be a string, not {path!r}")
        count = body.get("count")
        if count is not None and not (_is_int(count) and count >= 0):
            raise ValueError(f"count must be a whole number >= 0, not {count!r}")
        raw = body.get("body")
        if raw is not None and not isinstance(raw, str):
            raise ValueError(f"body must be a string, not {raw!r}")
        content_type = body.get("content_type", "application/json")
        if not isinstance(content_type, str) or not _TOKEN_TYPE.fullmatch(content_type):
            raise ValueError(
                f"content_type must be a media type such as text/html, not {content_type!r}"
            )
        return cls(
            latency_ms=latency,
            status=status,
            rate=float(rate),
            retry_after=body.get("retry_after"),
            malformed=body.get("malformed", False),
            drop=body.get("drop", False),
            slow_body_ms=body.get("slow_body_ms"),
            ignore_paging=body.get("ignore_paging", False),
            path=path,
            count=count,
            body=raw,
            content_type=content_type,
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _latency(value: Any) -> tuple[int, int]:
    if _is_int(value) and value >= 0:
        return (value, value)
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(_is_int(v) and v >= 0 for v in value)
        and value[0] <= value[1]
    ):
        return (value[0], value[1])
    raise ValueError(f"latency_ms must be a whole number or [min, max], not {value!r}")


class Sandbox:
    """One upstream's play-acting: its routes, its error bodies, its per-run state."""

    source: Source

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

    def reset(self) -> None:
        """Forget per-run state (for example refresh timestamps)."""


@dataclass
class _State:
    baseline: Faults
    seed: int
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
    app[_STATE] = _State(baseline=faults or Faults(), seed=seed)
    app[_SANDBOX] = sandbox
    app.add_routes(
        [
            web.get("/_sandbox/stats", _stats),
            web.post("/_sandbox/reset", _reset),
            web.post("/_sandbox/faults", _set_faults),
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
    request.app[_STATE].reset()
    request.app[_SANDBOX].reset()
    return web.json_response({"reset": True})


async def _set_faults(request: web.Request) -> web.Response:
    try:
        faults = Faults.from_json(await request.json())
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    request.app[_STATE].set_faults(faults)
    return web.json_response({"faults": _faults_json(faults)})


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


def _faults_json(faults: Faults) -> dict[str, Any]:
    return {k: getattr(faults, k) for k in faults.__dataclass_fields__}


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
    faults = state.faults
    state.last_request_id = request.headers.get("X-Request-Id")
    applies = (
        (faults.path is None or faults.path in request.path)
        and (faults.rate >= 1.0 or state.rng.random() < faults.rate)
        and state.take_fault()
    )
    state.in_flight += 1
    state.max_in_flight = max(state.max_in_flight, state.in_flight)
    try:
        if not applies:
            return await _handle(handler, request, state, route)
        request[_ACTIVE] = faults
        # Latency is a fault like the others: limited by `path` and `rate`.
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
    finally:
        state.in_flight -= 1


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
