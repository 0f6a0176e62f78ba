"""Queries and walkers shared by the GraphQL-level tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.harness import GraphClient

ALGOD_ASSETS = "GET /v2/accounts/{address}/assets"
ALGOD_ACCOUNT = "GET /v2/accounts/{address}"
CARDANOBI_ACCOUNT = "GET /api/core/accounts/{stake_address}"
CARDANOBI_ASSETS = "GET /api/core/accounts/{stake_address}/assets"
CARDANOBI_TOKEN = "POST /connect/token"
CALICO_ASSETS = "GET /accounts/v2/assets"
MESH_PORTFOLIO = "GET /api/v1/holdings/portfolio"

HOLDING_FIELDS = """
  id amount rawAmount stakedAmount isFrozen priceUsd valueUsd walletAddress fetchedAt round
  provider { slug }
  asset { id kind symbol name nameHex decimals chainId caip19 assetId policyId fingerprint }
"""

HOLDINGS_PAGE = f"""
query Holdings($source: Source!, $address: String!, $first: Int, $after: String,
               $filter: HoldingFilter) {{
  account(source: $source, address: $address) {{
    holdings(first: $first, after: $after, filter: $filter) {{
      edges {{ cursor node {{ {HOLDING_FIELDS} }} }}
      pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
      totalCount
    }}
  }}
}}
"""


@dataclass
class Walk:
    """Every page of one walk through a connection."""

    pages: list[dict[str, Any]]

    @property
    def nodes(self) -> list[dict[str, Any]]:
        return [edge["node"] for page in self.pages for edge in page["edges"]]


async def walk_holdings(
    graph: GraphClient,
    source: str,
    address: str,
    first: int,
    *,
    user: str | None = None,
    calico: bool | None = None,
    filter: dict[str, Any] | None = None,
    max_pages: int | None = None,
    tolerate: frozenset[str] = frozenset(),
) -> Walk:
    """Follow `endCursor` until `hasNextPage` is false (or for `max_pages` pages).

    Every page must come without errors, but for those whose code is in `tolerate`.
    """
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(max_pages or 5000):
        variables = {
            "source": source,
            "address": address,
            "first": first,
            "after": after,
            "filter": filter,
        }
        body = await graph.query(HOLDINGS_PAGE, variables, user=user, calico=calico)
        assert set(codes(body)) <= tolerate, body["errors"]
        page = body["data"]["account"]["holdings"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return Walk(pages)
        after = page["pageInfo"]["endCursor"]
    if max_pages is not None:
        return Walk(pages)
    raise AssertionError("the walk did not end")


def tokens_after_native(walk: Walk) -> list[dict[str, Any]]:
    """The walk's holdings after the `NATIVE` one that heads an on-chain account's list."""
    nodes = walk.nodes
    assert nodes and nodes[0]["asset"]["kind"] == "NATIVE", nodes[:1]
    assert all(node["asset"]["kind"] != "NATIVE" for node in nodes[1:])
    return nodes[1:]


def assert_well_formed_walk(walk: Walk, first: int) -> None:
    """The connection rules every walk must keep, whatever the list."""
    for index, page in enumerate(walk.pages):
        edges, info = page["edges"], page["pageInfo"]
        last = index == len(walk.pages) - 1
        assert info["hasNextPage"] is (not last)
        assert info["hasPreviousPage"] is (index > 0)
        assert len(edges) <= first
        if not last:
            assert len(edges) == first
        if edges:
            assert info["startCursor"] == edges[0]["cursor"]
            assert info["endCursor"] == edges[-1]["cursor"]
        else:
            assert len(walk.pages) == 1, "an empty page in a non-empty list"
            assert info["startCursor"] is None and info["endCursor"] is None


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


POSITIONS_PAGE = """
query Positions($source: Source!, $address: String!, $first: Int, $after: String,
                $kind: PositionKind) {
  account(source: $source, address: $address) {
    positions(first: $first, after: $after, kind: $kind) {
      edges { cursor node { id kind symbol name amount marketValue } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    }
  }
}
"""


async def walk_positions(
    graph: GraphClient,
    address: str,
    first: int,
    *,
    user: str | None = None,
    kind: str | None = None,
    source: str = "MESH",
) -> Walk:
    """Follow `endCursor` through `positions` until `hasNextPage` is false; no page may err."""
    pages: list[dict[str, Any]] = []
    after = None
    for _ in range(5000):
        variables = {
            "source": source,
            "address": address,
            "first": first,
            "after": after,
            "kind": kind,
        }
        body = await graph.query(POSITIONS_PAGE, variables, user=user)
        assert "errors" not in body, body["errors"]
        page = body["data"]["account"]["positions"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return Walk(pages)
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the walk did not end")
