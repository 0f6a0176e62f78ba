"""Run the benchmark scenarios and write `bench/RESULTS.md`.

    python -m bench.run [--latency-ms 50] [--scenarios S1,S2,S3,S4,S5] [--scale 1.0]
                        [--memory-requests 20000] [--out bench/RESULTS.md]

For each run it starts, as separate processes on loopback: the four sandboxes (with a fixed
latency), the server (`python server.py`, one worker), and, for the ceiling, a bare aiohttp
handler. The load generator runs in this process, bounded (a fixed number of operations at a
fixed concurrency). Two configurations:

- **latency** (sandboxes at `--latency-ms`): S1-S5, as users see them: latency percentiles and
  upstream requests per operation against the theoretical minimum;
- **cpu** (sandboxes at 0 ms): S1 and the ceiling, so the server's own CPU is what is measured,
  then S1 for `--memory-requests` requests, sampling the server's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from bench.load import LoadResult, OperationFailed, run_load
from bench.processes import ROOT, Process, free_port, peak_rss_mib, rss_mib, start, wait_http
from bench.scenarios import SCENARIOS, Scenario
from resolvers.identity import issue_token

__all__ = ["main"]

_JWT_SECRET = "bench-only-jwt-secret-0123456789abcdef0123456789"
_CURSOR_SECRET = "bench-only-cursor-secret-0123456789abcdef0123"
_CALICO_TOKEN = "sandbox-calico-alice"
_OPERATIONS = {"S1": (2000, 20), "S2": (200, 1), "S3": (200, 10), "S4": (20, 4), "S5": (200, 10)}
"""Operations and concurrency per scenario at scale 1."""


@dataclass
class Row:
    config: str
    scenario: str
    title: str
    result: LoadResult
    upstream_per_operation: float
    upstream_per_request: float
    min_upstream: int | None
    peak_mib: float


@contextmanager
def _sandboxes(latency_ms: int) -> Iterator[tuple[Process, dict[str, str]]]:
    process = start("sandboxes", ["-m", "bench.sandboxes", "--latency-ms", str(latency_ms)], {})
    try:
        settings: dict[str, str] = {}
        assert process.popen.stdout is not None
        for line in process.popen.stdout:
            line = line.strip()
            if line == "READY":
                break
            if "=" in line:
                key, value = line.split("=", 1)
                settings[key] = value
        else:
            raise RuntimeError("the sandboxes stopped before they were ready")
        yield process, settings
    finally:
        process.stop()


@contextmanager
def _server(
    upstreams: Mapping[str, str],
    cardanobi_rate: float,
    workers: int = 1,
    cache_ttl: float = 0.0,
) -> Iterator[tuple[Process, str]]:
    port = free_port()
    env = {
        "WORKERS": str(workers),
        # The shared cache of public reads is off unless a row says otherwise: the scenarios
        # measure the server doing its upstream reads, at their theoretical minimum.
        "PUBLIC_CACHE_TTL_SECONDS": str(cache_ttl),
        **upstreams,
        "JWT_SECRET": _JWT_SECRET,
        "CURSOR_SECRET": _CURSOR_SECRET,
        "LOG_LEVEL": "warning",
        # The sandbox has no plan limit; a real plan's rate (1 to 20/s) bounds what reads
        # CardanoBI, whatever the server does, so the bench measures the server itself.
        "CARDANOBI_RATE_PER_SECOND": str(cardanobi_rate),
        # One load generator on one address is one caller: its per-caller budget would
        # measure the limit, not the server.
        "CALLER_RATE_PER_SECOND": "0",
        "PORT": str(port),
    }
    process = start("server", ["server.py"], env)
    try:
        wait_http(f"http://127.0.0.1:{port}/graphql?query=%7B__typename%7D")
        yield process, f"http://127.0.0.1:{port}/graphql"
    finally:
        process.stop()


def _upstream_total(upstreams: Mapping[str, str]) -> int:
    total = 0
    for key in ("ALGOD_URL", "CARDANOBI_URL", "CALICO_URL", "MESH_URL"):
        with urllib.request.urlopen(upstreams[key] + "/_sandbox/stats", timeout=5) as answer:
            total += int(json.loads(answer.read())["total"])
    return total


def _headers(scenario: Scenario) -> dict[str, str]:
    if not scenario.needs_user:
        return {}
    token = issue_token(_JWT_SECRET, "alice")
    return {"Authorization": f"Bearer {token}", "X-Calico-Token": _CALICO_TOKEN}


def _measure(
    config: str,
    scenario: Scenario,
    url: str,
    server: Process,
    upstreams: Mapping[str, str],
    scale: float,
) -> Row:
    total, concurrency = _OPERATIONS[scenario.key]
    total = max(concurrency, int(total * scale))
    operation = scenario.operation(url, _headers(scenario))
    asyncio.run(run_load(operation, total=max(2, concurrency), concurrency=concurrency))  # warm
    before = _upstream_total(upstreams)
    result = asyncio.run(run_load(operation, total=total, concurrency=concurrency))
    upstream = _upstream_total(upstreams) - before
    return Row(
        config,
        scenario.key,
        scenario.title,
        result,
        upstream / result.operations,
        upstream / result.requests if result.requests else float("nan"),
        scenario.min_upstream,
        peak_rss_mib(server.popen.pid),
    )


def _ceiling(upstreams: Mapping[str, str], scale: float) -> Row:
    port = free_port()
    process = start(
        "ceiling",
        [
            "-m",
            "bench.ceiling",
            "--port",
            str(port),
            "--algod-url",
            upstreams["ALGOD_URL"],
            "--algod-token",
            upstreams["ALGOD_TOKEN"],
        ],
        {},
    )
    url = f"http://127.0.0.1:{port}/ceiling"
    try:
        wait_http(url)

        async def fetch(session: aiohttp.ClientSession, index: int) -> int:
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    raise OperationFailed(f"HTTP {response.status}")
            return 1

        total, concurrency = _OPERATIONS["S1"]
        asyncio.run(run_load(fetch, total=concurrency, concurrency=concurrency))
        before = _upstream_total(upstreams)
        result = asyncio.run(
            run_load(fetch, total=max(concurrency, int(total * scale)), concurrency=concurrency)
        )
        upstream = _upstream_total(upstreams) - before
        return Row(
            "cpu",
            "ceiling",
            "bare aiohttp handler returning algod's JSON unchanged",
            result,
            upstream / result.operations,
            upstream / result.requests,
            1,
            peak_rss_mib(process.popen.pid),
        )
    finally:
        process.stop()


def _memory_series(url: str, server: Process, requests: int) -> list[tuple[int, float]]:
    scenario = next(s for s in SCENARIOS if s.key == "S1")
    operation = scenario.operation(url, {})
    step = max(1, requests // 10)
    series = [(0, rss_mib(server.popen.pid))]
    done = 0
    while done < requests:
        batch = min(step, requests - done)
        asyncio.run(run_load(operation, total=batch, concurrency=20))
        done += batch
        series.append((done, rss_mib(server.popen.pid)))
    return series


def _machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({model}){memory}, "
        f"Python {platform.python_version()}"
    )


def _table(rows: list[Row]) -> list[str]:
    lines = [
        "| config | scenario | ops | failed | ops/s | p50 ms | p95 ms | p99 ms "
        "| upstream/op | min | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        r = row.result
        lines.append(
            f"| {row.config} | {row.scenario} | {r.operations} | {r.failures} "
            f"| {r.per_second:.1f} | {r.percentile(0.5):.1f} | {r.percentile(0.95):.1f} "
            f"| {r.percentile(0.99):.1f} | {row.upstream_per_operation:.2f} "
            f"| {row.min_upstream if row.min_upstream is not None else '-'} "
            f"| {row.peak_mib:.0f} |"
        )
    return lines


def _write(
    out: Path,
    arguments: argparse.Namespace,
    rows: list[Row],
    memory: list[tuple[int, float]],
    notes: list[str],
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench.run` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {_machine()}.",
        f"Sandbox latency in the latency configuration: {arguments.latency_ms} ms; "
        "one server worker; load generator in its own process on the same machine.",
        "",
        *_table(rows),
        "",
        "Titles: "
        + "; ".join(f"**{row.scenario}** {row.title}" for row in rows if row.config == "latency"),
        "",
    ]
    if memory:
        lines += [
            "## Memory over S1 requests (cpu configuration)",
            "",
            "| requests | server RSS MiB |",
            "|---|---|",
            *(f"| {count} | {mib:.1f} |" for count, mib in memory),
            "",
        ]
    lines += notes
    # The profile and the levers' before/after figures are kept by hand in bench/NOTES.md:
    # every run carries them into RESULTS.md.
    kept = ROOT / "bench" / "NOTES.md"
    if kept.exists():
        lines += ["", kept.read_text().rstrip()]
    out.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--scenarios", default=",".join(s.key for s in SCENARIOS))
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies operation counts")
    parser.add_argument("--memory-requests", type=int, default=20000)
    parser.add_argument(
        "--cardanobi-rate",
        type=float,
        default=1000.0,
        help="the server's CARDANOBI_RATE_PER_SECOND (the sandbox has no plan limit)",
    )
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2],
        help="server worker counts for S1 at 0 ms, e.g. 1,2 (one worker is always measured)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    arguments = parser.parse_args()
    chosen = [s for s in SCENARIOS if s.key in arguments.scenarios.split(",")]
    rows: list[Row] = []
    memory: list[tuple[int, float]] = []
    with (
        _sandboxes(arguments.latency_ms) as (_, upstreams),
        _server(upstreams, arguments.cardanobi_rate) as (server, url),
    ):
        for scenario in chosen:
            rows.append(_measure("latency", scenario, url, server, upstreams, arguments.scale))
            print(_table(rows)[-1], flush=True)
            if rows[-1].result.first_failure:
                print(f"  first failure: {rows[-1].result.first_failure}", flush=True)
    with _sandboxes(0) as (_, upstreams):
        with _server(upstreams, arguments.cardanobi_rate) as (server, url):
            s1 = next(s for s in SCENARIOS if s.key == "S1")
            rows.append(_measure("cpu", s1, url, server, upstreams, arguments.scale))
            print(_table(rows)[-1], flush=True)
            if arguments.memory_requests:
                memory = _memory_series(url, server, arguments.memory_requests)
        for workers in arguments.workers:
            if workers == 1:
                continue
            with _server(upstreams, arguments.cardanobi_rate, workers) as (server, url):
                config = f"cpu, {workers} workers"
                rows.append(_measure(config, s1, url, server, upstreams, arguments.scale))
                print(_table(rows)[-1], flush=True)
        with _server(upstreams, arguments.cardanobi_rate, cache_ttl=5.0) as (server, url):
            rows.append(_measure("cpu, cache 5 s", s1, url, server, upstreams, arguments.scale))
            print(_table(rows)[-1], flush=True)
        rows.append(_ceiling(upstreams, arguments.scale))
        print(_table(rows)[-1], flush=True)
    notes = _notes(rows, arguments.latency_ms)
    _write(arguments.out, arguments, rows, memory, notes)
    print(f"wrote {arguments.out}")


def _notes(rows: list[Row], latency_ms: int) -> list[str]:
    by_key: dict[tuple[str, str], Row] = {(r.config, r.scenario): r for r in rows}
    notes = ["## Targets", ""]
    s2 = by_key.get(("latency", "S2"))
    if s2:
        # Every sandbox call takes `latency_ms` (plus loopback): that is the slowest single call.
        target = 1.2 * latency_ms + 15
        p50 = s2.result.percentile(0.5)
        notes.append(
            f"- S2 p50 at concurrency 1: {p50:.0f} ms against 1.2 x {latency_ms} ms + 15 ms = "
            f"{target:.0f} ms (**{p50 / target:.2f}** of the target; "
            f"{'met' if p50 <= target else 'not met'})."
        )
    s1, ceiling = by_key.get(("cpu", "S1")), by_key.get(("cpu", "ceiling"))
    if s1 and ceiling and ceiling.result.per_second:
        ratio = s1.result.per_second / ceiling.result.per_second
        notes.append(
            f"- S1 throughput at 0 ms upstream latency: {s1.result.per_second:.0f}/s against the "
            f"ceiling's {ceiling.result.per_second:.0f}/s = **{ratio:.2f}** of the ceiling "
            "(target ≥ 0.5)."
        )
    for row in rows:
        if row.min_upstream is not None and row.config == "latency":
            if row.upstream_per_operation > row.min_upstream:
                verdict = "above it"
            elif row.upstream_per_operation == row.min_upstream:
                verdict = "at it"
            else:
                verdict = (
                    "below it: concurrent identical operations shared their upstream reads "
                    "(the single flight); tests/bench asserts the minimum of one operation alone"
                )
            notes.append(
                f"- {row.scenario}: {row.upstream_per_operation:.2f} upstream requests per "
                f"operation, minimum {row.min_upstream} ({verdict})."
            )
    notes.append("")
    return notes


if __name__ == "__main__":
    main()
