"""The sandbox kit: fault documents are validated, faults (latency included) apply only to the
requests their `path` and `rate` select, stats count what was served, and a reset keeps counting
the requests still running. A tiny sandbox is served on loopback and spoken to over HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web

from sources.errors import UpstreamTimeout
from sources.http import HttpUpstream, Timeouts, UpstreamResponse
from sources.sandboxing import Faults, RunningSandbox, Sandbox, start_sandbox
from sources.source import Source
from tests.sandbox_control import SandboxControl

from .loopback import upstream

ANY_STATUS = range(100, 600)


class Echo(Sandbox):
    """Two plain routes, and `/gate`, which answers only once the test opens the gate."""

    source = Source.MESH

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.arrivals: asyncio.Queue[None] = asyncio.Queue()
        self.resets = 0

    def routes(self) -> Iterable[web.RouteDef]:
        return [
            web.get("/a", self._plain),
            web.get("/b", self._plain),
            web.get("/gate", self._gate),
        ]

    def reset(self) -> None:
        self.resets += 1

    async def _plain(self, request: web.Request) -> web.Response:
        return web.json_response({"path": request.path})

    async def _gate(self, request: web.Request) -> web.Response:
        self.arrivals.put_nowait(None)
        await self.gate.wait()
        return web.json_response({"path": request.path})


@dataclass
class Control(SandboxControl):
    """The sandbox's `/_sandbox/` API, and plain requests over one `HttpUpstream`."""

    upstream: HttpUpstream | None = None

    async def get(self, path: str, headers: dict[str, str] | None = None) -> UpstreamResponse:
        assert self.upstream is not None
        return await self.upstream.request("GET", path, headers=headers, accept=ANY_STATUS)

    async def statuses(self, path: str, times: int) -> list[int]:
        return [(await self.get(path)).status for _ in range(times)]


@pytest_asyncio.fixture
async def echo() -> Echo:
    return Echo()


@pytest_asyncio.fixture
async def running(echo: Echo) -> AsyncIterator[RunningSandbox]:
    started = await start_sandbox(echo)
    yield started
    echo.gate.set()
    await started.close()


@pytest_asyncio.fixture
async def control(
    running: RunningSandbox, control_http: aiohttp.ClientSession
) -> AsyncIterator[Control]:
    async with upstream(Source.MESH, running.url) as http:
        yield Control(control_http, running.url, http)


# -- fault documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "faults"),
    [
        ({}, Faults()),
        ({"latency_ms": 50}, Faults(latency_ms=(50, 50))),
        ({"latency_ms": [10, 20]}, Faults(latency_ms=(10, 20))),
        ({"status": 503, "retry_after": 2}, Faults(status=503, retry_after=2)),
        ({"rate": 0}, Faults(rate=0.0)),
        ({"rate": 0.25, "path": "/assets"}, Faults(rate=0.25, path="/assets")),
        (
            {"malformed": True, "drop": False, "ignore_paging": True, "slow_body_ms": 0},
            Faults(malformed=True, ignore_paging=True, slow_body_ms=0),
        ),
        ({"status": 503, "count": 2}, Faults(status=503, count=2)),
        (
            {"body": "<html></html>", "content_type": "text/html"},
            Faults(body="<html></html>", content_type="text/html"),
        ),
    ],
)
def test_a_valid_faults_document_is_read(body: dict[str, Any], faults: Faults) -> None:
    assert Faults.from_json(body) == faults


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ([], "JSON object"),
        ({"latency": 5}, "unknown fault keys: latency"),
        ({"latency_ms": -1}, "latency_ms"),
        ({"latency_ms": [20, 10]}, "latency_ms"),
        ({"latency_ms": [1]}, "latency_ms"),
        ({"latency_ms": "50"}, "latency_ms"),
        ({"latency_ms": True}, "latency_ms"),
        ({"status": 99}, "status"),
        ({"status": 700}, "status"),
        ({"status": "503"}, "status"),
        ({"status": True}, "status"),
        ({"rate": 1.5}, "rate"),
        ({"rate": -0.1}, "rate"),
        ({"rate": True}, "rate"),
        ({"retry_after": -1}, "retry_after"),
        ({"retry_after": 1.5}, "retry_after"),
        ({"slow_body_ms": "x"}, "slow_body_ms"),
        ({"malformed": "yes"}, "malformed"),
        ({"drop": 1}, "drop"),
        ({"path": 5}, "path"),
        ({"count": -1}, "count"),
        ({"count": 1.5}, "count"),
        ({"count": True}, "count"),
        ({"body": 5}, "body"),
        ({"body": "x", "content_type": "text/html; charset=utf-8"}, "content_type"),
        ({"content_type": ""}, "content_type"),
    ],
)
def test_an_invalid_faults_document_names_what_is_wrong(body: Any, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Faults.from_json(body)


async def test_the_control_api_answers_an_invalid_document_with_400(control: Control) -> None:
    status, answer = await control.try_control("faults", {"status": 42})
    assert status == 400
    assert "status" in answer["error"]
    assert (await control.get("/a")).status == 200  # the previous faults (none) still hold


async def test_a_status_the_upstream_never_sends_is_refused(control: Control) -> None:
    # 600..699 are Calico's end-user codes; the echo plays an upstream with HTTP's own.
    status, answer = await control.try_control("faults", {"status": 603})
    assert status == 400
    assert "603" in answer["error"]


# -- which requests faults apply to -----------------------------------------------------------


async def test_a_fault_limited_to_a_path_leaves_other_paths_alone(control: Control) -> None:
    await control.faults(status=503, path="/b")
    assert [(await control.get(path)).status for path in ("/a", "/b", "/a")] == [200, 503, 200]


async def test_a_rate_selects_a_seeded_fraction_of_requests(control: Control) -> None:
    await control.faults(status=503, rate=0.5)
    first = await control.statuses("/a", 40)
    await control.reset()
    await control.faults(status=503, rate=0.5)
    again = await control.statuses("/a", 40)
    assert first == again  # the same requests get the same faults
    assert 5 < first.count(503) < 35


async def test_rate_zero_injects_nothing(control: Control) -> None:
    await control.faults(status=503, rate=0)
    assert set(await control.statuses("/a", 10)) == {200}


async def test_latency_delays_the_requests_it_applies_to(control: Control) -> None:
    await control.faults(latency_ms=200, path="/a")
    started = time.monotonic()
    await control.get("/a")
    assert time.monotonic() - started >= 0.2


@pytest.mark.parametrize("selector", [{"path": "/nowhere"}, {"rate": 0}])
async def test_latency_spares_the_requests_the_faults_do_not_apply_to(
    control: Control, selector: dict[str, Any]
) -> None:
    await control.faults(latency_ms=1000, **selector)
    started = time.monotonic()
    await control.get("/a")
    assert time.monotonic() - started < 0.5  # well under the injected second


async def test_a_slow_body_ends_when_the_client_gives_up(
    running: RunningSandbox, control_http: aiohttp.ClientSession
) -> None:
    timeouts = Timeouts(connect=1.0, total=0.2)
    async with upstream(Source.MESH, running.url, timeouts=timeouts) as impatient:
        control = Control(control_http, running.url, impatient)
        await control.faults(slow_body_ms=5000)
        with pytest.raises(UpstreamTimeout):
            await control.get("/a")
        await asyncio.sleep(0.2)
        await control.reset()
        assert (await control.stats())["max_in_flight"] == 0  # nothing still trickling


async def test_a_count_limits_the_faults_to_the_next_matching_requests(control: Control) -> None:
    await control.faults(status=503, count=2, path="/b")
    statuses = [(await control.get(p)).status for p in ("/a", "/b", "/a", "/b", "/b", "/b")]
    assert statuses == [200, 503, 200, 503, 200, 200]


async def test_count_zero_injects_nothing(control: Control) -> None:
    await control.faults(status=503, count=0)
    assert set(await control.statuses("/a", 3)) == {200}


async def test_a_new_faults_document_restarts_the_count(control: Control) -> None:
    await control.faults(status=503, count=1)
    assert await control.statuses("/a", 2) == [503, 200]
    await control.faults(status=502, count=1)
    assert await control.statuses("/a", 2) == [502, 200]


async def test_a_raw_body_is_answered_exactly_with_its_type_and_status(control: Control) -> None:
    page = "<html><body>402 Payment Required é</body></html>"
    await control.faults(body=page, content_type="text/html", status=402, retry_after=3)
    answer = await control.get("/a")
    assert answer.status == 402
    assert answer.body == page.encode("utf-8")
    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Retry-After"] == "3"
    assert (await control.stats())["routes"] == {"GET /a": {"402": 1}}


async def test_a_raw_body_without_a_status_is_a_200_of_json(control: Control) -> None:
    await control.faults(body="[1, 2")
    answer = await control.get("/a")
    assert (answer.status, answer.body) == (200, b"[1, 2")
    assert answer.headers["Content-Type"].startswith("application/json")


async def test_stats_show_the_last_request_id_served(control: Control) -> None:
    await control.get("/a", headers={"X-Request-Id": "req-1"})
    await control.get("/b", headers={"X-Request-Id": "req-2"})
    assert (await control.stats())["last_request_id"] == "req-2"
    await control.get("/a")
    assert (await control.stats())["last_request_id"] is None


# -- stats and reset --------------------------------------------------------------------------


async def test_stats_count_served_requests_by_route_template_and_outcome(
    control: Control,
) -> None:
    await control.get("/a")
    await control.get("/a")
    await control.faults(status=503, path="/b")
    await control.get("/b")
    await control.faults(malformed=True, path="/b")
    await control.get("/b")
    await control.get("/missing")
    stats = await control.stats()
    assert stats == {
        "total": 5,
        "max_in_flight": 1,
        "last_request_id": None,
        "routes": {
            "GET /a": {"200": 2},
            "GET /b": {"503": 1, "200": 1},
            "GET <unmatched>": {"404": 1},
        },
    }


async def test_a_reset_zeroes_the_counters_and_restores_the_start_up_faults(
    echo: Echo, control_http: aiohttp.ClientSession
) -> None:
    running = await start_sandbox(echo, faults=Faults(status=503, path="/b"))
    try:
        async with upstream(Source.MESH, running.url) as http:
            control = Control(control_http, running.url, http)
            await control.faults(status=500)
            assert await control.statuses("/a", 2) == [500, 500]
            await control.reset()
            assert await control.stats() == {
                "total": 0,
                "max_in_flight": 0,
                "last_request_id": None,
                "routes": {},
            }
            assert [(await control.get(p)).status for p in ("/a", "/b")] == [200, 503]
            assert echo.resets == 1
    finally:
        await running.close()


async def test_requests_running_across_a_reset_still_count_as_in_flight(
    echo: Echo, control: Control
) -> None:
    held = [asyncio.create_task(control.get("/gate")) for _ in range(2)]
    for _ in held:
        await asyncio.wait_for(echo.arrivals.get(), 5)
    await control.reset()
    assert (await control.stats())["max_in_flight"] == 2
    echo.gate.set()
    await asyncio.gather(*held)
    await control.reset()
    await control.faults(latency_ms=200)
    await asyncio.gather(*(control.get("/a") for _ in range(3)))
    assert (await control.stats())["max_in_flight"] == 3


async def test_a_fault_limited_to_a_route_spares_longer_paths(control: Control) -> None:
    await control.faults(status=503, route="GET /a")
    assert [(await control.get(path)).status for path in ("/a", "/b")] == [503, 200]


async def test_a_fault_limited_to_a_query_applies_only_to_requests_carrying_it(
    control: Control,
) -> None:
    await control.faults(status=503, query="next=")
    assert [(await control.get(path)).status for path in ("/a", "/a?next=7", "/a?x=1")] == [
        200,
        503,
        200,
    ]
