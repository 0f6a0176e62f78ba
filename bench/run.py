"""Run the benchmark and write `bench/RESULTS.md`.

    python -m bench.run [--systems ceiling,graph,graph-cache,apollo,mesh,mesh-jit,strawberry]
                        [--rounds 3] [--concurrency 32] [--cold-accounts 100] [--workers 1,2]
                        [--latency-ms 50] [--scenarios S1,S2,S3,S4,S5] [--scale 1.0]
                        [--memory-requests 20000] [--note TEXT] [--out bench/RESULTS.md]

Everything runs as separate processes on loopback; the load generator runs in this process,
bounded (a fixed number of operations at a fixed concurrency). Three parts:

- **S1 side by side** (`bench.compare`, sandboxes at 0 ms, so each server's own CPU is what is
  measured): the chosen `--systems` (the graph, its peers, the ceiling; see `bench.systems`)
  over one algod sandbox, interleaved over `--rounds`, warm (the whale on every request) and
  cold (`--cold-accounts` distinct accounts, each once). The Node peers need
  `scripts/install-bench` first.
- **latency** (sandboxes at `--latency-ms`): the graph's S1-S5 as users see them: latency
  percentiles and upstream requests per operation against the theoretical minimum;
- **memory**: the graph's resident memory over `--memory-requests` S1 requests.

`--scenarios none` skips the latency part, `--memory-requests 0` the memory part.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.cold_accounts import cold_addresses
from bench.compare import Row as SideRow
from bench.compare import side_by_side
from bench.load import LoadResult, run_load
from bench.peers.setup import SetupError
from bench.processes import ROOT, Process, peak_rss_mib, rss_mib
from bench.scenarios import SCENARIOS, Scenario
from bench.serving import CALICO_TOKEN, JWT_SECRET, graph_server, sandboxes, upstream_total
from bench.systems import DEFAULT_SYSTEMS, RunContext, System, system
from resolvers.identity import issue_token

__all__ = ["main"]

_OPERATIONS = {"S1": (2000, 20), "S2": (200, 1), "S3": (200, 10), "S4": (20, 4), "S5": (200, 10)}
"""Operations and concurrency per scenario at scale 1 (latency part)."""
_SIDE_BY_SIDE_OPERATIONS = 2000
"""Warm S1 operations per system and round at scale 1."""


@dataclass
class Row:
    config: str
    scenario: str
    title: str
    result: LoadResult
    upstream_per_operation: float
    min_upstream: int | None
    peak_mib: float


def _headers(scenario: Scenario) -> dict[str, str]:
    if not scenario.needs_user:
        return {}
    token = issue_token(JWT_SECRET, "alice")
    return {"Authorization": f"Bearer {token}", "X-Calico-Token": CALICO_TOKEN}


def _measure(
    scenario: Scenario, url: str, server: Process, upstreams: Mapping[str, str], scale: float
) -> Row:
    total, concurrency = _OPERATIONS[scenario.key]
    total = max(concurrency, int(total * scale))
    operation = scenario.operation(url, _headers(scenario))
    asyncio.run(run_load(operation, total=max(2, concurrency), concurrency=concurrency))  # warm
    before = upstream_total(upstreams)
    result = asyncio.run(run_load(operation, total=total, concurrency=concurrency))
    upstream = upstream_total(upstreams) - before
    return Row(
        "latency",
        scenario.key,
        scenario.title,
        result,
        upstream / result.operations,
        scenario.min_upstream,
        peak_rss_mib(server.popen.pid),
    )


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


def _latency_table(rows: list[Row]) -> list[str]:
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


def _ceiling_rate(rows: list[SideRow]) -> float | None:
    return next(
        (r.median("per_second") for r in rows if r.system.key == "ceiling" and not r.cold), None
    )


def _side_table(rows: list[SideRow]) -> list[str]:
    ceiling = _ceiling_rate(rows)
    lines = [
        "| system | accounts | ops | failed | req/s | of ceiling | p50 ms | p99 ms "
        "| CPU ms/req | upstream/req | exact amounts | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        rate = row.median("per_second")
        ratio = f"{rate / ceiling:.3f}" if ceiling else "-"
        accounts = f"{row.accounts} cold" if row.cold else "1 warm"
        exact = str(row.exactness) if row.exactness else "-"
        lines.append(
            f"| {row.system.key} | {accounts} | {row.operations} | {row.failures} | {rate:.1f} "
            f"| {ratio} | {row.median('p50'):.1f} | {row.median('p99'):.1f} "
            f"| {row.median('cpu'):.2f} | {row.median('upstream'):.2f} | {exact} "
            f"| {row.peak_mib:.0f} |"
        )
    return lines


def _write(
    out: Path,
    arguments: argparse.Namespace,
    side: list[SideRow],
    rows: list[Row],
    memory: list[tuple[int, float]],
    notes: list[str],
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench.run` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        f"Machine: {_machine()}.",
    ]
    if arguments.note:
        lines += ["", f"**{arguments.note}**"]
    lines.append("")
    if side:
        systems = list(dict.fromkeys(row.system for row in side))
        lines += [
            "## S1 side by side",
            "",
            f"Sandboxes at 0 ms; medians of {arguments.rounds} interleaved rounds; concurrency "
            f"{arguments.concurrency}; warm: {side[0].samples[0].result.operations} operations "
            f"on the whale per round; cold: {arguments.cold_accounts} distinct accounts, each "
            "once per round. CPU is the server process's (user + system, its children "
            "included) over the measured operations. *exact amounts*: raw amounts equal to the "
            "sandbox's integers, of one answer for the whale (100) or one per cold account.",
            "",
            *_side_table(side),
            "",
            "Systems: " + "; ".join(f"**{s.key}** {s.title}" for s in systems),
            "",
        ]
    if rows:
        lines += [
            f"## Scenarios at {arguments.latency_ms} ms upstream latency (the graph)",
            "",
            *_latency_table(rows),
            "",
            "Titles: " + "; ".join(f"**{row.scenario}** {row.title}" for row in rows),
            "",
        ]
    if memory:
        lines += [
            "## Memory over S1 requests (sandboxes at 0 ms)",
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


def _systems(arguments: argparse.Namespace) -> list[System]:
    keys = [key for key in arguments.systems.split(",") if key]
    if "graph" in keys:
        at = keys.index("graph") + 1
        keys[at:at] = [f"graph-{n}w" for n in arguments.workers if n != 1]
    return [system(key) for key in dict.fromkeys(keys)]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--systems",
        default=",".join(DEFAULT_SYSTEMS),
        help="S1 side by side: systems to run, comma-separated (see bench/systems.py); "
        "'' skips that part",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--concurrency", type=int, default=32, help="S1 side by side")
    parser.add_argument(
        "--cold-accounts", type=int, default=100, help="distinct accounts of the cold rows"
    )
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 2],
        help="the graph's worker counts in the side by side, e.g. 1,2 (1 is always there)",
    )
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument(
        "--scenarios",
        default=",".join(s.key for s in SCENARIOS),
        help="the latency part's scenarios; 'none' skips it",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies operation counts")
    parser.add_argument("--memory-requests", type=int, default=20000)
    parser.add_argument(
        "--cardanobi-rate",
        type=float,
        default=1000.0,
        help="the server's CARDANOBI_RATE_PER_SECOND (the sandbox has no plan limit)",
    )
    parser.add_argument("--note", default="", help="a line written under the results' header")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    return parser


def main() -> None:
    parser = _parser()
    arguments = parser.parse_args()
    try:
        chosen_systems = _systems(arguments)
    except ValueError as exc:
        parser.error(str(exc))
    if arguments.rounds < 1 or arguments.concurrency < 1:
        parser.error("--rounds and --concurrency must be at least 1")
    chosen = [s for s in SCENARIOS if s.key in arguments.scenarios.split(",")]
    side: list[SideRow] = []
    rows: list[Row] = []
    memory: list[tuple[int, float]] = []
    with sandboxes(0, arguments.cold_accounts) as (_, upstreams):
        if chosen_systems:
            context = RunContext(upstreams, arguments.cardanobi_rate)
            try:
                side = side_by_side(
                    chosen_systems,
                    context,
                    operations=max(
                        arguments.concurrency, int(_SIDE_BY_SIDE_OPERATIONS * arguments.scale)
                    ),
                    concurrency=arguments.concurrency,
                    rounds=arguments.rounds,
                    cold_addresses=cold_addresses(arguments.cold_accounts),
                )
            except SetupError as exc:
                parser.exit(2, f"bench: {exc}\n")
            print("\n".join(_side_table(side)), flush=True)
        if arguments.memory_requests:
            with graph_server(upstreams, arguments.cardanobi_rate) as (server, url):
                memory = _memory_series(url, server, arguments.memory_requests)
    if chosen:
        with (
            sandboxes(arguments.latency_ms) as (_, upstreams),
            graph_server(upstreams, arguments.cardanobi_rate) as (server, url),
        ):
            for scenario in chosen:
                rows.append(_measure(scenario, url, server, upstreams, arguments.scale))
                print(_latency_table(rows)[-1], flush=True)
                if rows[-1].result.first_failure:
                    print(f"  first failure: {rows[-1].result.first_failure}", flush=True)
    notes = _notes(side, rows, arguments.latency_ms, arguments.concurrency)
    _write(arguments.out, arguments, side, rows, memory, notes)
    print(f"wrote {arguments.out}")


def _ratio_note(side: list[SideRow], ours: str, peer: str, target: str) -> str | None:
    rates = {r.system.key: r.median("per_second") for r in side if not r.cold}
    if ours not in rates or peer not in rates or not rates[peer]:
        return None
    ratio = rates[ours] / rates[peer]
    return (
        f"- S1 warm, {ours} against {peer}: {rates[ours]:.0f}/s against {rates[peer]:.0f}/s = "
        f"**{ratio:.2f} times** (target {target})."
    )


def _notes(side: list[SideRow], rows: list[Row], latency_ms: int, concurrency: int) -> list[str]:
    notes = ["## Targets", ""]
    by_key = {row.scenario: row for row in rows}
    s2 = by_key.get("S2")
    if s2:
        # Every sandbox call takes `latency_ms` (plus loopback): that is the slowest single call.
        target = 1.2 * latency_ms + 15
        p50 = s2.result.percentile(0.5)
        notes.append(
            f"- S2 p50 at concurrency 1: {p50:.0f} ms against 1.2 x {latency_ms} ms + 15 ms = "
            f"{target:.0f} ms (**{p50 / target:.2f}** of the target; "
            f"{'met' if p50 <= target else 'not met'})."
        )
    ceiling = _ceiling_rate(side)
    for ours in side:
        if ours.system.key not in ("graph", "graph-cache") or ours.cold:
            continue
        if ceiling:
            rate = ours.median("per_second")
            notes.append(
                f"- S1 warm, {ours.system.key}: {rate:.0f}/s against the ceiling's "
                f"{ceiling:.0f}/s = **{rate / ceiling:.3f}** of the ceiling (target ≥ 0.5)."
            )
        notes.append(
            f"- S1 warm, {ours.system.key}: {ours.median('cpu'):.2f} ms CPU per request (target "
            f"≤ 0.8), p99 {ours.median('p99'):.0f} ms at concurrency {concurrency} (target ≤ 60 "
            "ms at 32)."
        )
        for peer, wanted in (("apollo", "≥ 2"), ("mesh-jit", "> 1")):
            note = _ratio_note(side, ours.system.key, peer, wanted)
            if note:
                notes.append(note)
    rates = {r.system.key: r for r in side if not r.cold}
    if "graph" in rates and "graph-standard" in rates:
        plan, standard = rates["graph"], rates["graph-standard"]
        notes.append(
            f"- S1 warm, compiled plans against graphql-core alone (graph against "
            f"graph-standard): {plan.median('per_second'):.0f}/s against "
            f"{standard.median('per_second'):.0f}/s, {plan.median('cpu'):.2f} against "
            f"{standard.median('cpu'):.2f} ms CPU per request."
        )
    for row in rows:
        if row.min_upstream is None:
            continue
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
