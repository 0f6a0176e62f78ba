"""A bounded load generator: a fixed number of operations at a fixed concurrency, over loopback.

An *operation* is one user-visible action (one GraphQL request, or a whole walk of pages); it
returns how many HTTP requests it made and raises `OperationFailed` when an answer is wrong, so
throughput and latency are only ever counted for correct answers.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp

__all__ = ["LoadResult", "Operation", "OperationFailed", "run_load"]


class OperationFailed(Exception):
    """An answer was not what the scenario expects (an error, missing data, a bad status)."""


Operation = Callable[[aiohttp.ClientSession, int], Awaitable[int]]
"""Does operation number `i` with the session; returns the HTTP requests it made."""


@dataclass
class LoadResult:
    operations: int
    requests: int
    failures: int
    seconds: float
    latencies: list[float] = field(repr=False)
    first_failure: str | None = None

    @property
    def per_second(self) -> float:
        return (self.operations - self.failures) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """Latency in ms at `fraction` (0.5, 0.95, 0.99) of the successful operations."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        if len(ordered) == 1:
            return ordered[0] * 1000
        cuts = statistics.quantiles(ordered, n=1000, method="inclusive")
        return cuts[min(len(cuts) - 1, max(0, round(fraction * 1000) - 1))] * 1000


async def run_load(operation: Operation, *, total: int, concurrency: int) -> LoadResult:
    """Run `total` operations, at most `concurrency` at once; never more, never unbounded."""
    if total < 1 or concurrency < 1:
        raise ValueError("total and concurrency must be at least 1")
    latencies: list[float] = []
    counter = iter(range(total))
    requests = failures = 0
    first_failure: str | None = None
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def worker() -> None:
            nonlocal requests, failures, first_failure
            for index in counter:
                started = time.perf_counter()
                try:
                    requests += await operation(session, index)
                except (OperationFailed, aiohttp.ClientError, TimeoutError) as exc:
                    failures += 1
                    first_failure = first_failure or f"{type(exc).__name__}: {exc}"[:300]
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(min(concurrency, total))))
        seconds = time.perf_counter() - started
    return LoadResult(total, requests, failures, seconds, latencies, first_failure)
