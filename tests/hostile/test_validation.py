"""Documents that would make validation itself quadratic are refused before it runs.

graphql-core's OverlappingFieldsCanBeMergedRule compares every pair of fields at one response
path: 800 repeated `providers { totalCount }` (20 KB, within MAX_QUERY_TOKENS) validated for
about 7 s, 300 fragments each selecting `edges { node { id } }` at one place for 6 s, and the
server answered nobody meanwhile.
"""

from __future__ import annotations

import pytest

from tests.harness import GraphClient, Sandboxes
from tests.hostile.support import attack, refused_by

REPEATED = "{" + " providers { totalCount }" * 800 + "}"
FRAGMENTS = (
    "{ providers { "
    + " ".join(f"...F{i}" for i in range(300))
    + " } } "
    + " ".join(
        f"fragment F{i} on ProviderConnection {{ edges {{ node {{ id }} }} }}" for i in range(300)
    )
)


@pytest.mark.parametrize("query", [REPEATED, FRAGMENTS], ids=["repeated-fields", "fragments"])
async def test_fields_validation_would_compare_pair_by_pair_are_refused_first(
    graph: GraphClient, clean: Sandboxes, query: str
) -> None:
    outcome = await attack(graph, query)
    message = await refused_by(outcome, "QUERY_TOO_COMPLEX", clean)
    assert "over the limit MAX_QUERY_OVERLAPS=50000" in message, message


async def test_a_few_repeated_fields_are_validated_and_run(graph: GraphClient) -> None:
    # Relay-style documents repeat fields through fragments: 20 at one path cost 190 pairs.
    query = "{" + " providers(first: 1) { totalCount }" * 20 + "}"
    assert (await graph.data(query))["providers"]["totalCount"] > 0


async def test_250_typenames_are_within_the_overlap_limit(graph: GraphClient) -> None:
    assert await graph.data("{" + " __typename" * 250 + "}") == {"__typename": "Query"}
