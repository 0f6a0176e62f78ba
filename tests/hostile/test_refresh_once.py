"""Finding 9 (point 8): 150 aliased `refreshHoldings` sent 150 refresh POSTs to Calico, each
starting work there. A request now asks each source once; every other alias answers from that
one refresh."""

from __future__ import annotations

from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes
from tests.hostile.support import BYSTANDER_SECONDS, attack

CALICO_REFRESH = "POST /platform/v1/assets/refresh"
USER = "sandbox-user-7"


def refreshes(n: int) -> str:
    fields = " ".join(
        f"r{i}: refreshHoldings(source: CALICO) {{ source accepted retryAfterSeconds }}"
        for i in range(n)
    )
    return "mutation { " + fields + " }"


async def test_150_aliased_refreshes_send_one_refresh(graph: GraphClient, clean: Sandboxes) -> None:
    headers = graph.headers(USER, calico=f"sandbox-calico-{USER}")
    outcome = await attack(graph, refreshes(150), **headers)
    assert codes(outcome.body) == [], outcome.body
    assert await clean.calico.count(CALICO_REFRESH) == 1
    assert await clean.calico.total() == 1
    answers = list(outcome.body["data"].values())
    assert len(answers) == 150
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["source"] == "CALICO"
    assert outcome.normal, "no normal request was answered meanwhile"
    assert max(outcome.normal + outcome.healthz) < BYSTANDER_SECONDS


async def test_a_failing_refresh_is_sent_once_too(graph: GraphClient, clean: Sandboxes) -> None:
    # The payload is non-null: the first failure ends the mutation (its data is null).
    await clean.calico.faults(status=503, path="/platform")
    headers = graph.headers(USER, calico=f"sandbox-calico-{USER}")
    body = await graph.query(refreshes(20), headers=headers)
    assert codes(body) == ["UPSTREAM_UNAVAILABLE"], body
    assert body["data"] is None
    assert await clean.calico.count(CALICO_REFRESH) == 1
