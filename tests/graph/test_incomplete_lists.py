"""Nothing cut is presented as whole.

CardanoBI's tokens route answers the first 100 tokens by fingerprint and no more, whatever the
paging says (the sandbox's default, as the real service was seen to answer). Whether OData's
`$skip`/`$top` would page it nobody has shown; the sandbox has both worlds (`odata`). In the
first, the collector's 250 tokens come back as ADA and 100 tokens, the list marked incomplete
on the connection (`complete`, `errors`, `totalCount` null, and a GraphQL error on its path when
`errors` is not asked), in the portfolio's totals naming the account, and in `node(id:)` of a
token that may lie past the cut; with no request spent finding that out. In the second, the 250
come back whole.
"""

from __future__ import annotations

from typing import Any

import pytest

from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import CARDANOBI_ACCOUNT, CARDANOBI_ASSETS, codes
from tests.harness import GraphClient, Sandboxes

COLLECTOR = cardano_data.COLLECTOR
FINGERPRINTS = [t.fingerprint for t in cardano_data.tokens()[COLLECTOR]]
CUT = 100
"""What CardanoBI's tokens route answers at most (`EnableQuery(PageSize = 100)`)."""
INCOMPLETE = "HOLDINGS_INCOMPLETE"
CUT_MESSAGE = (
    f"CardanoBI answered only the first 100 tokens of {COLLECTOR} (by fingerprint) and ignored "
    "the options that page further; the rest are missing"
)

PAGE = """
query Page($address: String!, $first: Int, $after: String, $filter: HoldingFilter) {
  account(source: CARDANO, address: $address) {
    holdings(first: $first, after: $after, filter: $filter) {
      nodes { id asset { kind fingerprint } }
      pageInfo { hasNextPage endCursor }
      totalCount
      complete
      errors { source code message account { source address } }
    }
  }
}
"""

PORTFOLIO = """
query($accounts: [AccountRef!]) {
  portfolio(accounts: $accounts, includeViewer: false) {
    holdingsCount
    bySource { source holdingsCount complete }
    errors { source code message account { source address } }
  }
}
"""

NODE = "query($id: ID!) { node(id: $id) { id ... on AssetHolding { rawAmount } } }"


async def _walk(
    graph: GraphClient, first: int, filter: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Every page of the collector's holdings, with each page's response errors."""
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(50):
        variables = {"address": COLLECTOR, "first": first, "after": after, "filter": filter}
        body = await graph.query(PAGE, variables)
        page = body["data"]["account"]["holdings"]
        page["graphql_errors"] = body.get("errors", [])
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the walk did not end")


def _tokens(pages: list[dict[str, Any]]) -> list[str]:
    nodes = [node for page in pages for node in page["nodes"]]
    assert nodes[0]["asset"]["kind"] == "NATIVE"
    return [node["asset"]["fingerprint"] for node in nodes[1:]]


def _assert_marked_cut(page: dict[str, Any]) -> None:
    assert page["complete"] is False
    assert page["totalCount"] is None
    assert page["errors"] == [
        {
            "source": "CARDANO",
            "code": INCOMPLETE,
            "message": CUT_MESSAGE,
            "account": {"source": "CARDANO", "address": COLLECTOR},
        }
    ]
    # Read in the data, the cut is not repeated as a GraphQL error.
    assert page["graphql_errors"] == []


@pytest.mark.parametrize("world", ["no odata", "odata ignored by the service"])
async def test_the_collector_cut_at_100_comes_back_as_100_and_says_so_on_every_page(
    graph: GraphClient, clean: Sandboxes, world: str
) -> None:
    if world == "odata ignored by the service":
        await clean.cardanobi.settings(odata=True)
        await clean.cardanobi.faults(ignore_paging=True)
    pages = await _walk(graph, 40)
    assert [len(page["nodes"]) for page in pages] == [40, 40, 21]  # ADA and 100 tokens
    assert _tokens(pages) == FINGERPRINTS[:CUT]  # in order, none twice
    for page in pages:
        _assert_marked_cut(page)
    # One tokens request per GraphQL page, none more to find out: the first answer held 100
    # tokens where 99 were asked, so the service ignored the options.
    assert await clean.cardanobi.count(CARDANOBI_ASSETS, "200") == len(pages)
    assert await clean.cardanobi.count(CARDANOBI_ACCOUNT, "200") == 1


async def test_without_asking_for_errors_the_cut_is_a_graphql_error_on_the_list(
    graph: GraphClient, clean: Sandboxes
) -> None:
    query = PAGE.replace("errors { source code message account { source address } }", "")
    body = await graph.query(query, {"address": COLLECTOR, "first": 3})
    assert body["data"]["account"]["holdings"]["complete"] is False
    (error,) = body["errors"]
    assert error["path"] == ["account", "holdings"]
    assert error["extensions"] == {"code": INCOMPLETE, "source": "CARDANO"}
    assert error["message"] == CUT_MESSAGE


async def test_with_odata_the_collector_comes_back_whole_and_complete(
    graph: GraphClient, odata: Sandboxes
) -> None:
    pages = await _walk(graph, 100)
    assert _tokens(pages) == FINGERPRINTS
    assert len(FINGERPRINTS) == 250
    for page in pages:
        assert (page["complete"], page["errors"], page["graphql_errors"]) == (True, [], [])
    # 99 tokens an answer, each page needing 101 holdings: two answers for the first page
    # (ADA, then from `$skip` 0 and 99), two for the second (99 and 198 again: the next page's
    # request has loaders of its own), one for the last.
    assert len(pages) == 3
    assert await odata.cardanobi.count(CARDANOBI_ASSETS, "200") == 5


async def test_an_account_under_the_cut_is_complete_without_odata(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(PAGE, {"address": cardano_data.SMALL, "first": 10})
    page = body["data"]["account"]["holdings"]
    assert (page["complete"], page["errors"], len(page["nodes"])) == (True, [], 6)
    assert "errors" not in body
    assert await clean.cardanobi.count(CARDANOBI_ASSETS, "200") == 1


async def test_a_filter_over_a_cut_list_says_it_may_miss_matches(
    graph: GraphClient, clean: Sandboxes
) -> None:
    last = cardano_data.tokens()[COLLECTOR][-1]
    assert last.name.isascii() and last.fingerprint == FINGERPRINTS[-1]
    pages = await _walk(graph, 5, filter={"symbols": [last.name]})
    assert [node for page in pages for node in page["nodes"]] == []
    for page in pages:
        _assert_marked_cut(page)


async def test_the_portfolio_counts_the_100_and_names_the_cut_account(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(PORTFOLIO, {"accounts": [{"source": "CARDANO", "address": COLLECTOR}]})
    portfolio = body["data"]["portfolio"]
    assert portfolio["holdingsCount"] == 1 + CUT
    assert portfolio["bySource"] == [
        {"source": "CARDANO", "holdingsCount": 1 + CUT, "complete": False}
    ]
    assert portfolio["errors"] == [
        {
            "source": "CARDANO",
            "code": INCOMPLETE,
            "message": CUT_MESSAGE,
            "account": {"source": "CARDANO", "address": COLLECTOR},
        }
    ]
    assert "errors" not in body  # read in the data, not repeated
    # The whole read: one tokens request (100 came where 99 were asked), one balance.
    assert await clean.cardanobi.count(CARDANOBI_ASSETS, "200") == 1
    assert await clean.cardanobi.count(CARDANOBI_ACCOUNT, "200") == 1
    without = await graph.query(
        PORTFOLIO.replace("errors { source code message account { source address } }", ""),
        {"accounts": [{"source": "CARDANO", "address": COLLECTOR}]},
    )
    assert codes(without) == [INCOMPLETE]
    assert without["errors"][0]["path"] == ["portfolio"]


async def test_with_odata_the_portfolio_holds_all_250_and_is_complete(
    graph: GraphClient, odata: Sandboxes
) -> None:
    body = await graph.query(PORTFOLIO, {"accounts": [{"source": "CARDANO", "address": COLLECTOR}]})
    portfolio = body["data"]["portfolio"]
    assert portfolio["holdingsCount"] == 251
    assert portfolio["bySource"] == [{"source": "CARDANO", "holdingsCount": 251, "complete": True}]
    assert (portfolio["errors"], "errors" in body) == ([], False)
    assert await odata.cardanobi.count(CARDANOBI_ASSETS, "200") == 3


async def _holding_ids(graph: GraphClient) -> dict[str, str]:
    """Each collector token's holding id, read in the OData world."""
    pages = await _walk(graph, 100)
    nodes = [node for page in pages for node in page["nodes"]][1:]
    return {node["asset"]["fingerprint"]: node["id"] for node in nodes}


async def test_node_of_a_token_past_the_cut_is_an_error_not_null(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.cardanobi.settings(odata=True)
    ids = await _holding_ids(graph)
    await clean.reset()  # the service as seen: the first 100
    past = FINGERPRINTS[CUT + 20]
    body = await graph.query(NODE, {"id": ids[past]})
    assert body["data"] == {"node": None}
    assert codes(body) == [INCOMPLETE]
    assert past in body["errors"][0]["message"] and COLLECTOR in body["errors"][0]["message"]
    assert body["errors"][0]["path"] == ["node"]
    # Found out from the first answer alone: no page past it was asked.
    assert await clean.cardanobi.count(CARDANOBI_ASSETS, "200") == 1


async def test_node_of_a_token_inside_the_cut_is_found(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.cardanobi.settings(odata=True)
    ids = await _holding_ids(graph)
    await clean.reset()
    inside = FINGERPRINTS[CUT - 1]
    body = await graph.query(NODE, {"id": ids[inside]})
    assert "errors" not in body
    assert body["data"]["node"]["id"] == ids[inside]


async def test_with_odata_node_of_a_token_past_100_is_found(
    graph: GraphClient, odata: Sandboxes
) -> None:
    ids = await _holding_ids(graph)
    past = FINGERPRINTS[-1]
    body = await graph.query(NODE, {"id": ids[past]})
    assert "errors" not in body
    expected = next(t for t in cardano_data.tokens()[COLLECTOR] if t.fingerprint == past)
    assert body["data"]["node"] == {"id": ids[past], "rawAmount": str(expected.quantity)}
