"""Many users interleaved: every response holds only its own user's custodial data, checked from
the data itself against the sandboxes' data modules.

The refused-token cases (alg none, wrong signature, expired exp, future nbf, wrong audience or
issuer) are in `tests/graph/test_identity.py`:
`test_a_refused_bearer_token_makes_viewer_null_with_the_reason` and
`test_a_token_without_the_configured_audience_or_issuer_is_refused`.
"""

from __future__ import annotations

import random
from collections import Counter

import aiohttp

from tests.harness import GraphClient, Sandboxes
from tests.load.support import USERS, VIEWER, Request, check_viewer, post, run_bounded

REQUESTS = 400
CONCURRENCY = 20


async def test_interleaved_users_each_see_only_their_own_holdings(
    graph: GraphClient, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    rng = random.Random(4)
    order = [USERS[i % len(USERS)] for i in range(REQUESTS)]
    rng.shuffle(order)
    requests: list[Request] = [
        lambda user=user: post(http, graph.url, "viewer", VIEWER, user=user) for user in order
    ]
    answers = await run_bounded(requests, CONCURRENCY)
    assert len(answers) == REQUESTS
    problems = []
    for answer in answers:
        assert answer.status == 200, answer.body
        assert "errors" not in answer.body, answer.body["errors"]
        assert answer.user is not None
        problems += check_viewer(answer.user, answer.body)
    assert problems == []
    # Every user was served, and each response came from that user's own upstream data.
    assert Counter(a.body["data"]["viewer"]["userId"] for a in answers) == Counter(order)
    sources = Counter(
        account["source"] for a in answers for account in a.body["data"]["viewer"]["accounts"]
    )
    assert sources == {"CALICO": REQUESTS, "MESH": REQUESTS}
