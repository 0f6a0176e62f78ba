"""S1 side by side: the graph, its peers and the ceiling over one algod sandbox at 0 ms.

Every chosen system runs at once, each in its own process, over the same sandbox (which serves
the cold accounts too). A round measures each system in turn (the order rotates from round to
round, so no system always runs first or last):

- **warm**: S1 over the whale, the same account on every request, `ops` operations;
- **cold**: S1 over the `bench.cold_accounts` accounts, each once (one pass), after a warm-up
  on the whale only; a system that keeps per-id state (the graph) is a new process for each
  pass, so its ids and cursors are cold too (its public cache is off).

Each row reports medians over the rounds: operations per second, latency p50/p99, the server
process's CPU time per operation (from `/proc`, over the measured operations only), upstream
requests per operation, and how many of the answered raw amounts equal the sandbox's integers
(one answer for the whale; one per cold account), with peak memory.
"""

from __future__ import annotations

import asyncio
import statistics
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

import aiohttp

from bench.load import LoadResult, Operation, OperationFailed, run_load
from bench.peers.exactness import Exactness, count_exact, decode_answer, expected_amounts
from bench.processes import cpu_seconds, peak_rss_mib
from bench.serving import upstream_total
from bench.systems import RunContext, Served, System
from sources.algod.sandbox_data import WHALE

__all__ = ["S1_ITEMS", "Row", "Sample", "probe_exactness", "s1_operation", "side_by_side"]

S1_ITEMS = 100
"""Holdings in every S1 answer: `holdings(first: 100)`, algod's `limit=100`."""
_ERRORS = b'"errors":'
"""Only a GraphQL error list has this key: a string holding it would escape its quotes."""


@dataclass(frozen=True)
class Sample:
    """One measured run of one row."""

    result: LoadResult
    cpu_seconds: float
    upstream: int

    @property
    def cpu_ms_per_operation(self) -> float:
        return 1000 * self.cpu_seconds / self.result.operations

    @property
    def upstream_per_operation(self) -> float:
        return self.upstream / self.result.operations


_FIGURES: dict[str, Callable[[Sample], float]] = {
    "per_second": lambda s: s.result.per_second,
    "p50": lambda s: s.result.percentile(0.5),
    "p99": lambda s: s.result.percentile(0.99),
    "cpu": lambda s: s.cpu_ms_per_operation,
    "upstream": lambda s: s.upstream_per_operation,
}


@dataclass
class Row:
    system: System
    cold: bool
    accounts: int
    samples: list[Sample] = field(default_factory=list)
    exactness: Exactness | None = None
    peak_mib: float = 0.0

    def median(self, value: str) -> float:
        """The median over the rounds of `per_second`, `p50`, `p99`, `cpu` or `upstream`."""
        return statistics.median(_FIGURES[value](sample) for sample in self.samples)

    @property
    def operations(self) -> int:
        return sum(sample.result.operations for sample in self.samples)

    @property
    def failures(self) -> int:
        return sum(sample.result.failures for sample in self.samples)

    @property
    def first_failure(self) -> str | None:
        return next((s.result.first_failure for s in self.samples if s.result.first_failure), None)


def s1_operation(system: System, url: str, addresses: Sequence[str]) -> Operation:
    """Operation i asks `system` S1 for `addresses[i % len]`; it counts only an answer of
    status 200, without errors, listing `S1_ITEMS` holdings (checked without decoding it)."""
    dialect = system.dialect
    requests = [(url + dialect.query(a), dialect.body(a)) for a in addresses]
    headers = {"Content-Type": "application/json"} if dialect.method == "POST" else {}

    async def run(session: aiohttp.ClientSession, index: int) -> int:
        target, body = requests[index % len(requests)]
        async with session.request(dialect.method, target, data=body, headers=headers) as answer:
            text = await answer.read()
            if answer.status != 200:
                raise OperationFailed(f"HTTP {answer.status}: {text[:200]!r}")
        errors = text.find(_ERRORS)
        if errors >= 0:
            raise OperationFailed(f"errors: {text[errors : errors + 200]!r}")
        items = text.count(dialect.marker)
        if items != S1_ITEMS:
            raise OperationFailed(f"{items} holdings, not {S1_ITEMS}")
        return 1

    return run


async def probe_exactness(
    system: System,
    url: str,
    addresses: Sequence[str],
    session: aiohttp.ClientSession | None = None,
) -> Exactness:
    """S1 once per address: how many of the answered raw amounts are the sandbox's integers."""
    if session is None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as own:
            return await probe_exactness(system, url, addresses, own)
    dialect = system.dialect
    headers = {"Content-Type": "application/json"} if dialect.method == "POST" else {}
    total = Exactness(0, 0)
    for address in addresses:
        async with session.request(
            dialect.method,
            url + dialect.query(address),
            data=dialect.body(address),
            headers=headers,
        ) as answer:
            text = await answer.read()
        if answer.status != 200:
            raise RuntimeError(f"{system.key} answered HTTP {answer.status}: {text[:300]!r}")
        try:
            items = dialect.items(decode_answer(text))
        except (KeyError, TypeError, ValueError) as exc:
            raise RuntimeError(f"{system.key} answered {text[:300]!r}") from exc
        total += count_exact(items, expected_amounts(address), S1_ITEMS)
    return total


def _measure(
    system: System,
    served: Served,
    context: RunContext,
    addresses: Sequence[str],
    total: int,
    concurrency: int,
) -> Sample:
    warm = s1_operation(system, served.url, [WHALE])
    asyncio.run(run_load(warm, total=max(2, concurrency), concurrency=concurrency))
    operation = s1_operation(system, served.url, addresses)
    pid = served.process.popen.pid
    cpu, upstream = cpu_seconds(pid), upstream_total(context.upstreams)
    result = asyncio.run(run_load(operation, total=total, concurrency=concurrency))
    return Sample(
        result,
        cpu_seconds(pid) - cpu,
        upstream_total(context.upstreams) - upstream,
    )


def side_by_side(
    systems: Sequence[System],
    context: RunContext,
    *,
    operations: int,
    concurrency: int,
    rounds: int,
    cold_addresses: Sequence[str],
    progress: bool = True,
) -> list[Row]:
    """Warm and cold rows of every system, measured interleaved over `rounds` rounds."""
    warm = {s.key: Row(s, False, 1) for s in systems}
    cold = {s.key: Row(s, True, len(cold_addresses)) for s in systems if s.cold and cold_addresses}
    for s in systems:
        s.prepare(context)
    with ExitStack() as stack:
        running = {}
        for s in systems:
            if progress:
                print(f"starting {s.key}", flush=True)
            running[s.key] = stack.enter_context(s.serve(context))
        for s in systems:
            served = running[s.key]
            warm[s.key].exactness = asyncio.run(probe_exactness(s, served.url, [WHALE]))
            if s.key in cold:
                cold[s.key].exactness = asyncio.run(probe_exactness(s, served.url, cold_addresses))
        for round_ in range(rounds):
            shift = round_ % len(systems)
            for s in [*systems[shift:], *systems[:shift]]:
                row = warm[s.key]
                row.samples.append(
                    _measure(s, running[s.key], context, [WHALE], operations, concurrency)
                )
                _report(progress, round_, row)
                if s.key not in cold:
                    continue
                row = cold[s.key]
                if s.fresh_for_cold:
                    with s.serve(context) as fresh:
                        sample = _measure(
                            s, fresh, context, cold_addresses, len(cold_addresses), concurrency
                        )
                        row.peak_mib = max(row.peak_mib, peak_rss_mib(fresh.process.popen.pid))
                else:
                    sample = _measure(
                        s, running[s.key], context, cold_addresses, len(cold_addresses), concurrency
                    )
                row.samples.append(sample)
                _report(progress, round_, row)
        for s in systems:
            peak = peak_rss_mib(running[s.key].process.popen.pid)
            warm[s.key].peak_mib = peak
            if s.key in cold and not s.fresh_for_cold:
                cold[s.key].peak_mib = peak
    return [row for s in systems for row in (warm[s.key], cold.get(s.key)) if row is not None]


def _report(progress: bool, round_: int, row: Row) -> None:
    if not progress:
        return
    sample = row.samples[-1]
    r = sample.result
    print(
        f"round {round_ + 1} {row.system.key} {'cold' if row.cold else 'warm'}: "
        f"{r.per_second:.0f}/s p50 {r.percentile(0.5):.1f} ms p99 {r.percentile(0.99):.1f} ms "
        f"cpu {sample.cpu_ms_per_operation:.2f} ms/op failed {r.failures}",
        flush=True,
    )
    if r.first_failure:
        print(f"  first failure: {r.first_failure}", flush=True)
