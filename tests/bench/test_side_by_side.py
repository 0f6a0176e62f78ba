"""A short side-by-side run end to end, with the systems that need no Node: the bench's own
sandboxes process (with cold accounts), the ceiling and the naive Strawberry peer, each in its
own process. It checks counts only (operations, failures, upstream requests, exact amounts,
that CPU time was read), never a duration."""

from __future__ import annotations

from bench.cold_accounts import cold_addresses
from bench.compare import side_by_side
from bench.peers.exactness import Exactness
from bench.serving import sandboxes
from bench.systems import RunContext, system

COLD = 3
OPERATIONS = 6


def test_ceiling_and_strawberry_side_by_side_warm_and_cold() -> None:
    with sandboxes(0, COLD) as (_, upstreams):
        rows = side_by_side(
            [system("ceiling"), system("strawberry")],
            RunContext(upstreams, 1000.0),
            operations=OPERATIONS,
            concurrency=2,
            rounds=2,
            cold_addresses=cold_addresses(COLD),
            progress=False,
        )
    assert [(row.system.key, row.cold, row.accounts) for row in rows] == [
        ("ceiling", False, 1),
        ("ceiling", True, COLD),
        ("strawberry", False, 1),
        ("strawberry", True, COLD),
    ]
    for row in rows:
        assert len(row.samples) == 2
        assert row.failures == 0, row.first_failure
        assert row.operations == 2 * (COLD if row.cold else OPERATIONS)
        # Each system reads one algod page per S1 request, and nothing else.
        assert all(sample.upstream == sample.result.operations for sample in row.samples)
        assert all(sample.cpu_seconds >= 0 for sample in row.samples)
        assert row.peak_mib > 0
        assert row.exactness == (
            Exactness(100 * COLD, 100 * COLD) if row.cold else Exactness(100, 100)
        )
    # /proc counts CPU in clock ticks (10 ms): a few requests may round to none, not all of them.
    assert sum(sample.cpu_seconds for row in rows for sample in row.samples) > 0
