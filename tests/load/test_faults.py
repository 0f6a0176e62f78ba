"""Bounded load while every upstream misbehaves.

`REQUESTS` requests, `CONCURRENCY` at a time, of a mix of queries and users, while each sandbox
fails `FAULT_RATE` of its requests (an error status or a dropped connection, after a random
latency of up to `LATENCY_MS`). The run is repeated `RUNS` times, rotating which fault each
sandbox injects. Every response must be well-formed GraphQL (HTTP 200, JSON, `data` present,
every error coded with a SCHEMA.md code), none may take longer than `DEADLINE_SECONDS`, no data
may cross users, and memory must settle: after the first (warm-up) run, live Python memory
blocks (`sys.getallocatedblocks()` after a full collection) may not grow from one run to the
next by more than `GROWTH_BLOCKS` (2.5 per request) nor RSS by more than `GROWTH_BYTES`.
Measured run-to-run noise is about +-1,000 blocks for 1,000 requests, going down as often as up;
anything kept per request (a response, a loader, a context: tens of blocks each) would add tens
of thousands of blocks a run. A leak of one tiny object per request would hide in the noise.

pytest keeps every log record of a test in memory (for its report), which would look like a
leak: the test raises the graph's loggers to ERROR while it runs (its expected upstream failures
log warnings; nothing here may log an error).

The figures (requests, faults the sandboxes injected, errors by code, peak RSS, durations) are
printed (`pytest -s`) and written to `test-output/load.json`.
"""

from __future__ import annotations

import gc
import itertools
import json
import logging
import os
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio

from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.load.support import (
    PUBLIC,
    PUBLIC_VARIABLES,
    SCHEMA_CODES,
    USERS,
    VIEWER,
    Answer,
    Request,
    check_viewer,
    post,
    run_bounded,
)

REQUESTS = 2000
CONCURRENCY = 50
RUNS = 3
FAULT_RATE = 0.1
LATENCY_MS = (0, 30)
UPSTREAM_TIMEOUT_SECONDS = 2.0
REQUEST_DEADLINE_SECONDS = 3.0
"""The server's `REQUEST_DEADLINE_SECONDS`: no upstream work of a request goes past it."""
DEADLINE_SECONDS = REQUEST_DEADLINE_SECONDS + 2.0
"""What a caller may wait: the deadline plus a margin for the server's own work under load."""
GROWTH_BLOCKS = REQUESTS * 5 // 2
GROWTH_BYTES = 16 * 1024 * 1024
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "load.json"

FAULT_KINDS: list[dict[str, Any]] = [
    {"status": 503},
    {"drop": True},
    {"status": 500},
    {"status": 502},
]
PROVIDERS = "{ providers(first: 10) { totalCount edges { node { slug } } } }"


@pytest_asyncio.fixture(scope="module")
async def loaded(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    # Retries as in production (3 attempts, jittered backoff), within the request's deadline.
    settings = sandboxes.settings(
        upstream_timeout_seconds=UPSTREAM_TIMEOUT_SECONDS,
        request_deadline_seconds=REQUEST_DEADLINE_SECONDS,
        upstream_max_attempts=3,
        upstream_retry_base_seconds=0.05,
        # Many users behind one address (the tests' 127.0.0.1), 45 % of them anonymous: one
        # caller for the per-caller limit (tests/hostile/test_caller_rate.py tests that limit).
        caller_rate_per_second=0,
    )
    async with serve_graph(settings, http) as client:
        yield client


def mix(http: aiohttp.ClientSession, url: str, rng: random.Random) -> list[Request]:
    requests: list[Request] = []
    for _ in range(REQUESTS):
        roll = rng.random()
        user = rng.choice(USERS)
        if roll < 0.45:
            requests.append(lambda u=user: post(http, url, "viewer", VIEWER, user=u))
        elif roll < 0.9:
            requests.append(lambda: post(http, url, "public", PUBLIC, PUBLIC_VARIABLES))
        else:
            requests.append(lambda u=user: post(http, url, "providers", PROVIDERS, user=u))
    return requests


def problems_of(answer: Answer) -> list[str]:
    """Every way `answer` is not a well-formed, own-data, timely GraphQL response."""
    if answer.status != 200 or not isinstance(answer.body, dict):
        return [f"HTTP {answer.status}: {str(answer.body)[:200]}"]
    problems = []
    if not isinstance(answer.body.get("data"), dict):
        problems.append(f"no data: {answer.body}")
    for error in answer.body.get("errors", ()):
        code = (error.get("extensions") or {}).get("code")
        if code not in SCHEMA_CODES:
            problems.append(f"error without a SCHEMA.md code: {error}")
    if answer.seconds > DEADLINE_SECONDS:
        problems.append(f"took {answer.seconds:.2f} s")
    if answer.kind == "viewer" and answer.user is not None and problems == []:
        problems += check_viewer(answer.user, answer.body)
    return problems


def memory() -> tuple[int, int]:
    """(live Python memory blocks, RSS in bytes) after a full collection."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        resident = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return sys.getallocatedblocks(), resident


@contextmanager
def graph_logs_at_error() -> Iterator[None]:
    logger = logging.getLogger("holdings_graph")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


async def faults_injected(sandboxes: Sandboxes) -> int:
    total = 0
    for handle in sandboxes.all():
        for outcomes in (await handle.stats())["routes"].values():
            total += sum(n for status, n in outcomes.items() if not status.startswith("2"))
    return total


async def test_load_with_faults_stays_well_formed_timely_isolated_and_bounded(
    loaded: GraphClient, sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    rng = random.Random(10)
    runs: list[dict[str, Any]] = []
    samples: list[tuple[int, int]] = []
    for run in range(RUNS):
        await sandboxes.reset()
        for offset, handle in enumerate(sandboxes.all()):
            kind = FAULT_KINDS[(offset + run) % len(FAULT_KINDS)]
            await handle.faults(rate=FAULT_RATE, latency_ms=list(LATENCY_MS), **kind)
        started = time.perf_counter()
        with graph_logs_at_error():
            answers = await run_bounded(mix(http, loaded.url, rng), CONCURRENCY)
        duration = time.perf_counter() - started
        assert len(answers) == REQUESTS
        problems = [p for answer in answers for p in problems_of(answer)]
        assert problems == [], problems[:10]
        samples.append(memory())
        runs.append(
            {
                "requests": len(answers),
                "faults_injected": await faults_injected(sandboxes),
                "upstream_requests": sum([await h.total() for h in sandboxes.all()]),
                "errors_by_code": dict(
                    Counter(
                        error["extensions"]["code"]
                        for answer in answers
                        for error in answer.body.get("errors", ())
                    )
                ),
                "responses_with_errors": sum(1 for a in answers if a.body.get("errors")),
                "slowest_seconds": round(max(a.seconds for a in answers), 3),
                "duration_seconds": round(duration, 2),
                "live_blocks": samples[-1][0],
                "rss_bytes": samples[-1][1],
            }
        )
    await sandboxes.reset()
    figures = {
        "concurrency": CONCURRENCY,
        "fault_rate": FAULT_RATE,
        "deadline_seconds": DEADLINE_SECONDS,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "runs": runs,
    }
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps(figures, indent=2) + "\n")
    print("\nload figures:", json.dumps(figures, indent=2))
    assert all(run["faults_injected"] > 0 for run in runs)
    for before, after in itertools.pairwise(samples[1:]):  # the first run warms up
        assert after[0] - before[0] <= GROWTH_BLOCKS, (before, after)
        assert after[1] - before[1] <= GROWTH_BYTES, (before, after)
