"""`fetchedAt` is when a holding's data was read: the source's own time where it gives one
(Calico's `time_fetched`), otherwise when the graph received the upstream's answer, taken by
the client from the answer. A record read once keeps that time wherever it is used later in
the request (the portfolio's `asOf` is the same instant), and every source's records carry one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.harness import GraphClient, Sandboxes

CALICO_ASSETS = "GET /accounts/v2/assets"
MESH_PORTFOLIO = "GET /api/v1/holdings/portfolio"

HOLDINGS = """
query($source: Source!, $address: String!) {
  account(source: $source, address: $address) {
    holdings(first: 20) { nodes { fetchedAt asset { symbol } } }
  }
}
"""

HOLDINGS_AND_AS_OF = """
query($address: String!) {
  account(source: MESH, address: $address) {
    holdings(first: 20) { nodes { fetchedAt } }
  }
  portfolio(includeViewer: false, accounts: [{source: MESH, address: $address}]) { asOf }
}
"""


def _calico_asset(symbol: str, **fields: Any) -> dict[str, Any]:
    return {
        "asset_symbol": symbol,
        "asset_holdings": Decimal("1.5"),
        "provider_id": "coinbase",
        **fields,
    }


def _times(data: dict[str, Any]) -> dict[str, datetime]:
    nodes = data["account"]["holdings"]["nodes"]
    return {n["asset"]["symbol"]: datetime.fromisoformat(n["fetchedAt"]) for n in nodes}


async def test_a_calico_asset_without_its_own_time_is_dated_when_calico_answered(
    graph: GraphClient, clean: Sandboxes
) -> None:
    answer = {
        "page": {},
        "errors": [],
        "data": {
            "assets": [
                _calico_asset("BTC", time_fetched="2019-08-24T14:15:22.123Z"),
                _calico_asset("ETH"),
            ]
        },
    }
    await clean.calico.faults(body=json.dumps(answer, default=str), route=CALICO_ASSETS)
    before = datetime.now(UTC)
    data = await graph.data(
        HOLDINGS, {"source": "CALICO", "address": "alice"}, user="alice", calico=True
    )
    after = datetime.now(UTC)
    times = _times(data)
    assert times["BTC"] == datetime(2019, 8, 24, 14, 15, 22, 123000, tzinfo=UTC)
    assert before <= times["ETH"] <= after
    assert await clean.calico.count(CALICO_ASSETS) == 1


async def test_a_mesh_portfolio_read_once_keeps_its_time_wherever_it_is_used(
    graph: GraphClient, clean: Sandboxes
) -> None:
    before = datetime.now(UTC)
    data = await graph.data(HOLDINGS_AND_AS_OF, {"address": "alice"}, user="alice")
    after = datetime.now(UTC)
    times = {datetime.fromisoformat(n["fetchedAt"]) for n in data["account"]["holdings"]["nodes"]}
    assert len(times) == 1
    read = times.pop()
    assert before <= read <= after
    assert datetime.fromisoformat(data["portfolio"]["asOf"]) == read
    assert await clean.mesh.count(MESH_PORTFOLIO) == 1


async def test_every_on_chain_holding_is_dated_when_its_upstream_answered(
    graph: GraphClient, clean: Sandboxes
) -> None:
    for source, address in (("ALGORAND", algod_data.SMALL), ("CARDANO", cardano_data.SMALL)):
        before = datetime.now(UTC)
        data = await graph.data(HOLDINGS, {"source": source, "address": address})
        after = datetime.now(UTC)
        times = _times(data).values()
        assert times, source
        assert all(before <= time <= after for time in times), source
