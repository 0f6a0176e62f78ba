"""Finding 9 (point 8): a Calico `Asset` id naming nothing answered an object (the id was
decoded and echoed, whatever it named). Calico has no asset lookup: the asset is what the
viewer's holdings show, so an id that names none of them answers null."""

from __future__ import annotations

from resolvers.ids import encode_id
from tests.graph.support import CALICO_ASSETS, codes
from tests.harness import GraphClient, Sandboxes

NODE = """query($id: ID!) { node(id: $id) { __typename id ... on Asset { symbol chainId } } }"""


async def test_a_calico_asset_id_naming_nothing_answers_null(
    graph: GraphClient, clean: Sandboxes
) -> None:
    for symbol, chain in [("NO-SUCH-COIN", ""), ("BTC", "eth")]:  # alice's BTC is on no chain
        body = await graph.query(
            NODE, {"id": encode_id("Asset", "CALICO", symbol, chain)}, user="alice", calico=True
        )
        assert body == {"data": {"node": None}}, body
    assert await clean.calico.count(CALICO_ASSETS) == 2  # one filtered read each


async def test_a_calico_asset_id_the_viewer_holds_answers_the_asset(graph: GraphClient) -> None:
    for symbol, chain, chain_id in [("BTC", "", None), ("ETH", "eth", "eip155:1")]:
        asset_id = encode_id("Asset", "CALICO", symbol, chain)
        data = await graph.data(NODE, {"id": asset_id}, user="alice", calico=True)
        assert data["node"] == {
            "__typename": "Asset",
            "id": asset_id,
            "symbol": symbol,
            "chainId": chain_id,
        }


async def test_a_calico_asset_needs_the_viewer_and_their_calico_token(
    graph: GraphClient, clean: Sandboxes
) -> None:
    asset_id = encode_id("Asset", "CALICO", "BTC", "")
    assert codes(await graph.query(NODE, {"id": asset_id})) == ["UNAUTHENTICATED"]
    assert codes(await graph.query(NODE, {"id": asset_id}, user="alice")) == ["UNAUTHENTICATED"]
    assert await clean.calico.total() == 0
