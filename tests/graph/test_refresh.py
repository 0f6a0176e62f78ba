"""`refreshHoldings`: Calico's refresh, accepted once, then refused for a while with a delay."""

from __future__ import annotations

from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes

REFRESH = """mutation($source: Source!) {
  refreshHoldings(source: $source) { source accepted retryAfterSeconds } }"""
CALICO_REFRESH = "POST /platform/v1/assets/refresh"
CALICO_ASSETS = "GET /accounts/v2/assets"


async def test_a_first_calico_refresh_is_accepted(graph: GraphClient, clean: Sandboxes) -> None:
    data = await graph.data(REFRESH, {"source": "CALICO"}, user="bob", calico=True)
    assert data["refreshHoldings"] == {
        "source": "CALICO",
        "accepted": True,
        "retryAfterSeconds": None,
    }
    assert await clean.calico.count(CALICO_REFRESH, "200") == 1


async def test_a_second_refresh_within_a_minute_is_refused_with_a_delay(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await graph.data(REFRESH, {"source": "CALICO"}, user="alice", calico=True)
    data = await graph.data(REFRESH, {"source": "CALICO"}, user="alice", calico=True)
    payload = data["refreshHoldings"]
    assert payload["accepted"] is False
    assert 1 <= payload["retryAfterSeconds"] <= 60
    assert await clean.calico.count(CALICO_REFRESH, "429") == 1


async def test_refreshing_a_source_without_a_refresh_is_bad_input(
    graph: GraphClient, clean: Sandboxes
) -> None:
    for source in ("MESH", "ALGORAND", "CARDANO"):
        body = await graph.query(REFRESH, {"source": source}, user="alice", calico=True)
        assert codes(body) == ["BAD_USER_INPUT"]
        assert source in body["errors"][0]["message"]
    assert await clean.calico.total() == 0


async def test_refreshing_needs_a_user_and_their_calico_token(
    graph: GraphClient, clean: Sandboxes
) -> None:
    anonymous = await graph.query(REFRESH, {"source": "CALICO"})
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    without_token = await graph.query(REFRESH, {"source": "CALICO"}, user="alice")
    assert codes(without_token) == ["UNAUTHENTICATED"]
    assert "X-Calico-Token" in without_token["errors"][0]["message"]
    assert await clean.calico.total() == 0


REFRESH_TWICE_READING = """mutation {
  first: refreshHoldings(source: CALICO) { account { holdings(first: 1) { nodes { id } } } }
  again: refreshHoldings(source: CALICO) { account { holdings(first: 1) { nodes { id } } } }
}"""
HOLDINGS_TWICE = """{
  a: account(source: CALICO, address: "alice") { holdings(first: 1) { nodes { id } } }
  b: account(source: CALICO, address: "alice") { holdings(first: 1) { nodes { id } } }
}"""


async def test_without_a_refresh_a_request_reads_a_calico_page_once(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(HOLDINGS_TWICE, user="alice", calico=True)
    assert body["data"]["a"] == body["data"]["b"]
    assert await clean.calico.count(CALICO_ASSETS) == 1


async def test_a_request_refreshes_a_source_once_and_answers_every_ask_from_it(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # Mutation fields run one after the other: the second asks after the first payload's
    # holdings were read, which were read after the refresh, so nothing is read again either.
    body = await graph.query(REFRESH_TWICE_READING, user="alice", calico=True)
    assert set(codes(body)) <= {"PROVIDER_ERROR"}, body.get("errors")
    data = body["data"]
    assert data["first"]["account"] == data["again"]["account"]
    assert await clean.calico.count(CALICO_REFRESH) == 1
    assert await clean.calico.count(CALICO_ASSETS) == 1
