"""Parse what is served, tolerate what the spec allows, end to end.

Negative Mesh numbers (a short position, losses) and a missing aggregate are read; a CardanoBI
account without `total_balance` has no ADA row but keeps its tokens, and a `ulong` quantity comes
out exact; one item an upstream sent malformed costs that item (a coded error naming it, the
list and the portfolio's totals marked incomplete), never the page or the account; a page that
fails after others were read keeps them. A name sent only as bytes is kept as `nameHex`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data
from sources.mesh.sandbox import envelope
from sources.sandboxing import dumps_exact
from tests.graph.support import ALGOD_ASSETS, CARDANOBI_ASSETS
from tests.harness import GraphClient, Sandboxes

HOLDINGS = """
query($source: Source!, $address: String!, $first: Int, $after: String) {
  account(source: $source, address: $address) {
    holdings(first: $first, after: $after) {
      nodes { amount rawAmount valueUsd asset { kind symbol name nameHex assetId fingerprint } }
      pageInfo { hasNextPage endCursor }
      totalCount
      complete
      errors { source code message account { source address } }
    }
  }
}
"""

POSITIONS = """
query {
  account(source: MESH, address: "carol") {
    positions(first: 10) {
      nodes { symbol amount costBasis marketValue portfolioPercentage totalReturn returnPercentage }
    }
  }
}
"""

PORTFOLIO = """
query($accounts: [AccountRef!], $includeViewer: Boolean = false) {
  portfolio(accounts: $accounts, includeViewer: $includeViewer) {
    totalValueUsd holdingsCount
    bySource { source holdingsCount complete }
    errors { source code message account { source address } }
  }
}
"""


async def _holdings(graph: GraphClient, source: str, address: str, **kw: Any) -> dict[str, Any]:
    first = kw.pop("first", 100)
    after = kw.pop("after", None)
    variables = {"source": source, "address": address, "first": first, "after": after}
    body = await graph.query(HOLDINGS, variables, **kw)
    page: dict[str, Any] = body["data"]["account"]["holdings"]
    page["graphql_errors"] = body.get("errors", [])
    return page


# --- Mesh: negative numbers and missing aggregates ----------------------------------------------


async def test_a_short_position_and_losses_come_through_signed(graph: GraphClient) -> None:
    body = await graph.query(POSITIONS, user="carol")
    assert "errors" not in body, body["errors"]
    nodes = {node["symbol"]: node for node in body["data"]["account"]["positions"]["nodes"]}
    assert nodes["GME"] == {
        "symbol": "GME",
        "amount": "-10",
        "costBasis": "24.1",
        "marketValue": "-231.5",
        "portfolioPercentage": "-76.71",
        "totalReturn": "9.5",
        "returnPercentage": "3.94",
    }
    assert (nodes["F"]["totalReturn"], nodes["SOL"]["returnPercentage"]) == ("-97.2", "-24.07")


async def test_a_portfolio_without_equities_and_nfts_values_totals_its_positions(
    graph: GraphClient,
) -> None:
    sent = mesh_data.portfolio_of(mesh_data.CAROL)
    assert sent is not None and "equitiesValue" not in sent and "nftsValue" not in sent
    body = await graph.query(PORTFOLIO, {"includeViewer": True}, user="carol")
    portfolio = body["data"]["portfolio"]
    # -231.5 + 430.8 + 102.5025: a short position's value counts against the others.
    assert Decimal(portfolio["totalValueUsd"]) == Decimal("301.8025")
    assert portfolio["bySource"] == [{"source": "MESH", "holdingsCount": 3, "complete": True}]
    assert portfolio["errors"] == []  # no X-Calico-Token: the viewer part is MESH only


# --- CardanoBI: a null balance, a ulong quantity ------------------------------------------------


async def test_a_null_balance_costs_the_ada_row_not_the_tokens(
    graph: GraphClient, clean: Sandboxes
) -> None:
    page = await _holdings(graph, "CARDANO", cardano_data.ODDITIES)
    tokens = cardano_data.tokens()[cardano_data.ODDITIES]
    assert [node["asset"]["fingerprint"] for node in page["nodes"]] == [
        t.fingerprint for t in tokens
    ]
    assert "NATIVE" not in {node["asset"]["kind"] for node in page["nodes"]}
    assert (page["complete"], page["errors"], page["graphql_errors"]) == (True, [], [])


async def test_a_ulong_quantity_is_exact_to_the_unit(graph: GraphClient) -> None:
    page = await _holdings(graph, "CARDANO", cardano_data.ODDITIES)
    (big,) = [node for node in page["nodes"] if len(node["rawAmount"]) > 19]
    assert big["rawAmount"] == big["amount"] == "18446744073709551615"
    assert int(big["rawAmount"]) == cardano_data.ULONG_MAX


# --- one malformed item costs that item ---------------------------------------------------------


def _small_assets_with_one_malformed() -> str:
    """algod's answer for the small account with its middle holding's amount a string."""
    entries = []
    catalogue = algod_data.assets()
    for holding in algod_data.account_holdings(algod_data.SMALL):
        entries.append(
            {
                "asset-holding": holding.to_json(),
                "asset-params": catalogue[holding.asset_id].to_json(),
            }
        )
    entries[1]["asset-holding"]["amount"] = "lots"
    return json.dumps({"asset-holdings": entries, "round": algod_data.ROUND})


async def test_a_malformed_holding_costs_only_itself(graph: GraphClient, clean: Sandboxes) -> None:
    held = algod_data.account_holdings(algod_data.SMALL)
    bad = held[1].asset_id
    await clean.algod.faults(body=_small_assets_with_one_malformed(), route=ALGOD_ASSETS)
    page = await _holdings(graph, "ALGORAND", algod_data.SMALL)
    assert [node["asset"]["assetId"] for node in page["nodes"]] == [
        None,
        str(held[0].asset_id),
        str(held[2].asset_id),
    ]
    assert page["complete"] is False
    (error,) = page["errors"]
    assert (error["code"], error["account"]) == (
        "UPSTREAM_BAD_RESPONSE",
        {"source": "ALGORAND", "address": algod_data.SMALL},
    )
    assert f"asset-holdings[1] ({bad})" in error["message"] and "amount" in error["message"]
    assert page["graphql_errors"] == []  # read as data, not repeated


async def test_a_malformed_holding_marks_the_portfolio_incomplete_naming_the_account(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(body=_small_assets_with_one_malformed(), route=ALGOD_ASSETS)
    accounts = [{"source": "ALGORAND", "address": algod_data.SMALL}]
    body = await graph.query(PORTFOLIO, {"accounts": accounts})
    portfolio = body["data"]["portfolio"]
    assert portfolio["holdingsCount"] == 3  # ALGO and the two readable ASAs
    assert portfolio["bySource"] == [{"source": "ALGORAND", "holdingsCount": 3, "complete": False}]
    (error,) = portfolio["errors"]
    assert error["code"] == "UPSTREAM_BAD_RESPONSE"
    assert error["account"] == {"source": "ALGORAND", "address": algod_data.SMALL}
    assert "errors" not in body  # read as data, not repeated


async def test_a_malformed_mesh_position_costs_only_itself(
    graph: GraphClient, clean: Sandboxes
) -> None:
    sent = dumps_exact(mesh_data.portfolio_of(mesh_data.BOB))
    content = json.loads(sent, parse_float=Decimal)
    broken = {**content["equityPositions"][0], "symbol": "BRK", "amount": "lots"}
    content["equityPositions"].append(broken)
    await clean.mesh.faults(body=dumps_exact(envelope("ok", content=content)))
    page = await _holdings(graph, "MESH", "bob", user="bob")
    assert [node["asset"]["symbol"] for node in page["nodes"]] == ["MSFT"]
    assert (page["complete"], page["totalCount"]) == (False, None)
    (error,) = page["errors"]
    assert error["code"] == "UPSTREAM_BAD_RESPONSE"
    assert "equityPositions[1] (BRK)" in error["message"]


# --- a page that fails after others were read ----------------------------------------------------


async def test_a_later_page_failing_keeps_the_pages_before_it(
    graph: GraphClient, odata: Sandboxes
) -> None:
    # 100 holdings need CardanoBI's answers from `$skip` 0 and 99: the second one fails.
    await odata.cardanobi.faults(status=503, query="skip=99")
    page = await _holdings(graph, "CARDANO", cardano_data.COLLECTOR)
    expected = [t.fingerprint for t in cardano_data.tokens()[cardano_data.COLLECTOR][:99]]
    assert [node["asset"]["fingerprint"] for node in page["nodes"]][1:] == expected
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["complete"] is False
    assert [error["code"] for error in page["errors"]] == ["UPSTREAM_UNAVAILABLE"]
    # The cursor resumes at the page that failed; once it answers, the walk goes on.
    await odata.cardanobi.faults()
    rest = await _holdings(
        graph, "CARDANO", cardano_data.COLLECTOR, after=page["pageInfo"]["endCursor"]
    )
    assert (
        rest["nodes"][0]["asset"]["fingerprint"]
        == cardano_data.tokens()[cardano_data.COLLECTOR][99].fingerprint
    )
    assert rest["complete"] is True
    assert await odata.cardanobi.count(CARDANOBI_ASSETS, "503") >= 1


async def test_a_later_page_failing_in_the_portfolio_keeps_the_rest_and_names_the_account(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(status=500, query="next=")
    accounts = [{"source": "ALGORAND", "address": algod_data.WHALE}]
    body = await graph.query(PORTFOLIO, {"accounts": accounts})
    portfolio = body["data"]["portfolio"]
    assert portfolio["holdingsCount"] == 1 + 1000  # ALGO and algod's first page of 1,000
    assert portfolio["bySource"][0]["complete"] is False
    (error,) = portfolio["errors"]
    assert error["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["account"] == {"source": "ALGORAND", "address": algod_data.WHALE}
    assert await clean.algod.count(ALGOD_ASSETS, "500") == 1


# --- names sent only as bytes -------------------------------------------------------------------


async def test_an_algorand_name_sent_only_as_bytes_is_kept_as_hex_beside_a_null_name(
    graph: GraphClient,
) -> None:
    catalogue = algod_data.assets()
    held = {h.asset_id for h in algod_data.account_holdings(algod_data.WHALE)}
    asset_id, params = next(
        (i, p) for i, p in catalogue.items() if i in held and p.name is None and p.unit_name
    )
    assert params.name_raw  # algod sends it, as `name-b64` only
    body = await graph.query(FILTERED, {"address": algod_data.WHALE, "symbols": [params.unit_name]})
    nodes = body["data"]["account"]["holdings"]["nodes"]
    (node,) = [n for n in nodes if n["asset"]["assetId"] == str(asset_id)]
    assert node["asset"]["name"] is None
    assert node["asset"]["nameHex"] == params.name_raw.hex()


FILTERED = """
query($address: String!, $symbols: [String!]) {
  account(source: ALGORAND, address: $address) {
    holdings(first: 100, filter: {symbols: $symbols}) {
      nodes { asset { assetId name nameHex } }
    }
  }
}
"""


async def test_a_printable_algorand_name_has_its_bytes_too(graph: GraphClient) -> None:
    page = await _holdings(graph, "ALGORAND", algod_data.SMALL)
    usdc = next(n for n in page["nodes"] if n["asset"]["assetId"] == str(algod_data.USDC_ID))
    assert (usdc["asset"]["name"], usdc["asset"]["nameHex"]) == ("USDC", b"USDC".hex())
