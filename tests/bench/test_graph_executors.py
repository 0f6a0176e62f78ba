"""The bench serves the graph with compiled plans (`graph`) and without (`graph-standard`,
COMPILED_EXECUTION=false), so the side by side can set one against the other: each server's
`/metrics` says which executor answered its S1 requests."""

from __future__ import annotations

import asyncio
import re
import urllib.request

from bench.compare import s1_operation
from bench.load import run_load
from bench.serving import sandboxes
from bench.systems import RunContext, system
from sources.algod.sandbox_data import WHALE

REQUESTS = 3


def _executions(url: str) -> dict[tuple[str, str], float]:
    metrics = url.removesuffix("/graphql") + "/metrics"
    with urllib.request.urlopen(metrics, timeout=30) as answer:
        text = answer.read().decode()
    pattern = r'holdings_graphql_executions_total\{executor="(\w+)",reason="([\w-]+)"\} (\S+)'
    return {(e, r): float(n) for e, r, n in re.findall(pattern, text)}


def test_the_graph_runs_s1_on_plans_and_graph_standard_on_graphql_core_alone() -> None:
    with sandboxes(0) as (_, upstreams):
        context = RunContext(upstreams, 1000.0)
        for key, expected in (("graph", ("plan", "compiled")), ("graph-standard", None)):
            chosen = system(key)
            with chosen.serve(context) as served:
                operation = s1_operation(chosen, served.url, [WHALE])
                before = _executions(served.url)  # the readiness probe ran one already
                result = asyncio.run(run_load(operation, total=REQUESTS, concurrency=1))
                assert (result.operations, result.failures) == (REQUESTS, 0), result.first_failure
                after = _executions(served.url)
            ran = {key: n - before.get(key, 0.0) for key, n in after.items()}
            ran = {key: n for key, n in ran.items() if n}
            assert ran == {expected or ("standard", "disabled"): REQUESTS}, ran
