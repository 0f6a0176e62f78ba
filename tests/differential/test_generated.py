"""Random documents over the schema (`tests/differential/documents.py`) answer the same on the
compiled plan as on graphql-core's executor: the same bytes, upstream requests and cache marks.

`DIFFERENTIAL_EXAMPLES` sets how many documents are drawn (default 150).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest_asyncio
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st

from schema import schema
from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.differential.documents import Pools, documents
from tests.differential.runner import Case, Differential

EXAMPLES = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "150"))

_SEED = f"""{{
  whale: account(source: ALGORAND, address: "{algod_data.WHALE}") {{
    id holdings(first: 3) {{ edges {{ cursor node {{ id asset {{ id }} provider {{ id }} }} }} }}
  }}
  collector: account(source: CARDANO, address: "{cardano_data.COLLECTOR}") {{
    id holdings(first: 2) {{ edges {{ cursor node {{ id asset {{ id }} }} }} }}
  }}
  alice: account(source: CALICO, address: "alice") {{
    id holdings(first: 2) {{ edges {{ cursor node {{ id asset {{ id }} provider {{ id }} }} }} }}
  }}
  mesh: account(source: MESH, address: "alice") {{
    id positions(first: 2) {{ edges {{ cursor node {{ id }} }} }}
    holdings(first: 2) {{ edges {{ cursor node {{ id }} }} }}
  }}
  providers(first: 2) {{ edges {{ cursor node {{ id }} }} }}
}}"""


_SEED_ERRORS = frozenset({"PROVIDER_ERROR", "HOLDINGS_INCOMPLETE"})
"""Alice's failing Calico provider; the collector's list cut at CardanoBI's first 100."""


def _strings(value: Any, key: str) -> Iterator[str]:
    if isinstance(value, dict):
        for name, item in value.items():
            if name == key and isinstance(item, str):
                yield item
            else:
                yield from _strings(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


@pytest_asyncio.fixture(scope="session")
async def pools(differential: Differential) -> Pools:
    """Ids and cursors the graph issued, read once."""
    answer = await differential.answer(Case(_SEED, user="alice", calico="sandbox-calico-alice"))
    assert all(e["extensions"]["code"] in _SEED_ERRORS for e in answer.get("errors", ())), answer
    ids = tuple(sorted(set(_strings(answer, "id"))))
    cursors = tuple(sorted(set(_strings(answer, "cursor"))))
    assert len(ids) >= 10 and len(cursors) >= 5
    return Pools(ids, cursors)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    # No shrinking: one example takes a second or more, and the failure's document, variables
    # and the bytes where the responses part are reported as drawn.
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_a_drawn_document_answers_identically(
    differential: Differential, pools: Pools, data: st.DataObject
) -> None:
    case = data.draw(documents(schema._schema, pools))
    note(case.query)
    note(repr(case.variables))
    outcome = await differential.check(case)
    # `pytest --hypothesis-show-statistics` shows how many ran on a plan, and how many failed
    # validation (no executor ran).
    event(f"executor: {outcome.executor or 'none, refused before execution'}")
    requests = outcome.upstream_requests
    event(f"upstream requests: {min(requests, 5)}{'+' if requests >= 5 else ''}")
    assert not outcome.problems, "\n".join(outcome.problems)
