"""A field whose error nulls its parent cancels its siblings (graphql-core stops the work whose
answer is gone); a sibling waiting on a DataLoader must not take the loader's answer away from
the rest of the request. Over the real sandboxes, the shared answer held back by a latency
fault: the response has the failing field's coded error, no INTERNAL_SERVER_ERROR and no
CancelledError anywhere (response, ERROR logs), the other callers get their data from the one
upstream request, and the next request is served as usual.

The only non-null fields that fail outright are at the root (`portfolio`, `providers`); a root
error nulls the whole data of a response in one body, so the siblings that survive it are in
another part of a response sent in parts: a deferred fragment fails as a whole (its data null)
while the initial part waits on the same loader.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from sources.algod import sandbox_data as algod_data
from tests.graph.support import ALGOD_ASSETS, MESH_PORTFOLIO
from tests.harness import GraphClient, Sandboxes
from tests.web.incremental_client import DEFER_2022, INCREMENTAL_V02, Parts, post_for_parts

LATENCY_MS = 700
#: `portfolio` is non-null: a bad address in it nulls the deferred fragment it is in, which
#: cancels the fragment's other fields, the one waiting on the loader included.
BROKEN = 'portfolio(accounts: [{source: ALGORAND, address: "not-an-address"}]) { asOf }'
HOLDINGS = "holdings(first: 2) { nodes { rawAmount asset { symbol } } }"

#: The same Mesh portfolio (one loader key, one cached future) for the initial part and for a
#: field of the fragment that fails.
SAME_KEY = f"""
{{
  account(source: MESH, address: "alice") {{ {HOLDINGS} }}
  ... @defer(label: "broken") {{
    {BROKEN}
    again: account(source: MESH, address: "alice") {{ {HOLDINGS} }}
  }}
}}
"""
#: Two algod accounts in one batch of the same loader, one of them in the fragment that fails.
SAME_BATCH = f"""
query Batch($kept: String!, $dropped: String!) {{
  account(source: ALGORAND, address: $kept) {{ {HOLDINGS} }}
  ... @defer(label: "broken") {{
    {BROKEN}
    dropped: account(source: ALGORAND, address: $dropped) {{ {HOLDINGS} }}
  }}
}}
"""
BATCH_VARIABLES = {"kept": algod_data.SMALL, "dropped": algod_data.WHALE}


def errors_of(bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every error of the parts: the initial part's, each entry's, each completed fragment's."""
    found = []
    for body in bodies:
        found += body.get("errors", [])
        for entry in [*body.get("incremental", ()), *body.get("completed", ())]:
            found += entry.get("errors", [])
    return found


def check_no_cancellation(answer: Parts, caplog: pytest.LogCaptureFixture) -> None:
    text = json.dumps(answer.bodies or answer.whole)
    assert "INTERNAL_SERVER_ERROR" not in text and "Cancelled" not in text, text
    unexpected = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not unexpected, [r.getMessage() for r in unexpected]
    assert "CancelledError" not in caplog.text


def check_broken_fragment(answer: Parts) -> None:
    """The fragment failed as a whole, with the portfolio's coded error naming the address."""
    assert answer.status == 200 and len(answer.parts) >= 2, answer.whole
    errors = errors_of(answer.bodies)
    assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"], errors
    assert errors[0]["path"] == ["portfolio"]
    assert "not-an-address" in errors[0]["message"]
    assert answer.bodies[-1]["hasNext"] is False


@pytest.mark.parametrize("accept", [DEFER_2022, INCREMENTAL_V02])
async def test_a_fragment_nulled_by_an_error_leaves_the_shared_loader_answer_to_the_others(
    graph: GraphClient, clean: Sandboxes, caplog: pytest.LogCaptureFixture, accept: str
) -> None:
    await clean.mesh.faults(latency_ms=LATENCY_MS)
    headers = graph.headers("alice")
    with caplog.at_level(logging.INFO):
        answer = await post_for_parts(graph, SAME_KEY, accept=accept, headers=headers)
    check_no_cancellation(answer, caplog)
    check_broken_fragment(answer)
    first = answer.bodies[0]
    assert first["data"]["account"]["holdings"]["nodes"], first
    # One portfolio request served the initial part (the loader's answer was not cancelled).
    assert await clean.mesh.count(MESH_PORTFOLIO) == 1
    # The next request is served as usual, from one request of its own.
    await clean.reset()
    data = await graph.data(
        f'{{ account(source: MESH, address: "alice") {{ {HOLDINGS} }} }}', user="alice"
    )
    assert data["account"]["holdings"]["nodes"] == first["data"]["account"]["holdings"]["nodes"]
    assert await clean.mesh.count(MESH_PORTFOLIO) == 1


async def test_a_key_dropped_from_a_batch_leaves_the_batch_serving_the_others(
    graph: GraphClient, clean: Sandboxes, caplog: pytest.LogCaptureFixture
) -> None:
    await clean.algod.faults(latency_ms=LATENCY_MS, route=ALGOD_ASSETS)
    with caplog.at_level(logging.INFO):
        answer = await post_for_parts(graph, SAME_BATCH, BATCH_VARIABLES)
    check_no_cancellation(answer, caplog)
    check_broken_fragment(answer)
    kept = answer.bodies[0]["data"]["account"]
    assert kept["holdings"]["nodes"], kept
    await clean.reset()
    alone = await graph.data(
        f"query($a: String!) {{ account(source: ALGORAND, address: $a) {{ {HOLDINGS} }} }}",
        {"a": algod_data.SMALL},
    )
    assert alone["account"] == kept


async def test_a_root_error_in_one_body_nulls_the_data_without_a_cancellation_error(
    graph: GraphClient, clean: Sandboxes, caplog: pytest.LogCaptureFixture
) -> None:
    """The same documents in one JSON body: the fragment is inline, so the root error nulls
    the whole data, with only the portfolio's coded error."""
    await clean.mesh.faults(latency_ms=LATENCY_MS)
    with caplog.at_level(logging.INFO):
        status, body = await graph.post(SAME_KEY, headers=graph.headers("alice"))
    assert status == 200, body
    assert body["data"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert "Cancelled" not in json.dumps(body)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    data = await graph.data(
        f'{{ account(source: MESH, address: "alice") {{ {HOLDINGS} }} }}', user="alice"
    )
    assert data["account"]["holdings"]["nodes"]
