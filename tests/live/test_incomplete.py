"""No event presents an incomplete list as whole (as `AssetHoldingConnection` does not).

A reading that could not read all of an account (an item the upstream sent malformed, a page
that failed, a list the upstream cut) is an event with `complete: false` and the `errors` that
say why, each naming the account; it lists what it saw added and changed, and reports nothing
removed that it merely did not see: those holdings stay as last read until a complete reading
says whether they went. The portfolio's events carry the same failures in `errors` and
`bySource`.
"""

from __future__ import annotations

import json

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.harness import GraphClient, Sandboxes
from tests.live.clients import TransportWS
from tests.live.support import PORTFOLIO, SMALL, holdings_of

ASSETS_ROUTE = "GET /v2/accounts/{address}/assets"

HOLDINGS = """subscription Holdings($account: AccountRef!) {
  holdingsChanged(account: $account) {
    initial holdingsCount complete
    added { id rawAmount }
    removed { id }
    changed { holding { id } previousRawAmount rawAmount }
    errors { source code message account { source address } }
  }
}"""


def _small_assets(malformed: int, changed: int) -> str:
    """algod's answer for the small account with one holding's amount a string (it cannot be
    read) and another's one base unit less (a change the partial reading does see)."""
    catalogue = algod_data.assets()
    entries = [
        {"asset-holding": holding.to_json(), "asset-params": catalogue[holding.asset_id].to_json()}
        for holding in algod_data.account_holdings(SMALL)
    ]
    entries[malformed]["asset-holding"]["amount"] = "lots"
    entries[changed]["asset-holding"]["amount"] -= 1
    return json.dumps({"asset-holdings": entries, "round": algod_data.ROUND})


async def test_a_reading_missing_one_holding_says_so_and_removes_nothing(
    live: GraphClient, clean: Sandboxes
) -> None:
    held = algod_data.account_holdings(SMALL)
    async with TransportWS.open(clean.algod.http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        first = (await client.next("1"))["data"]["holdingsChanged"]
        assert first["complete"] is True and first["holdingsCount"] == 4
        raw = {h["id"]: h["rawAmount"] for h in first["added"]}
        # The next reading only: algod sends one holding malformed, another one moved.
        await clean.algod.faults(body=_small_assets(1, 0), route=ASSETS_ROUTE, count=1)
        partial = (await client.next("1"))["data"]["holdingsChanged"]
        recovered = (await client.next("1"))["data"]["holdingsChanged"]
    assert partial["complete"] is False
    (error,) = partial["errors"]
    assert error["code"] == "UPSTREAM_BAD_RESPONSE"
    assert error["account"] == {"source": "ALGORAND", "address": SMALL}
    assert f"({held[1].asset_id})" in error["message"]
    # The unreadable holding is not reported gone; the one that moved is reported moved.
    assert partial["removed"] == [] and partial["added"] == []
    assert partial["holdingsCount"] == 4
    (moved,) = partial["changed"]
    assert moved["rawAmount"] == str(held[0].amount - 1)
    assert moved["previousRawAmount"] == raw[moved["holding"]["id"]] == str(held[0].amount)
    # Read whole again: complete, nothing added back, the amount back to what algod holds.
    assert recovered["complete"] is True and recovered["errors"] == []
    assert recovered["added"] == recovered["removed"] == []
    assert [c["rawAmount"] for c in recovered["changed"]] == [str(held[0].amount)]
    assert recovered["holdingsCount"] == 4


async def test_a_list_cardanobi_cuts_is_incomplete_from_the_first_event(
    live: GraphClient, clean: Sandboxes
) -> None:
    collector = cardano_data.COLLECTOR
    account = {"source": "CARDANO", "address": collector}
    async with TransportWS.open(clean.cardanobi.http, live.url) as client:
        await client.subscribe("holdings", HOLDINGS, {"account": account})
        await client.subscribe("portfolio", PORTFOLIO, {"accounts": [account], "viewer": False})
        first = (await client.next("holdings"))["data"]["holdingsChanged"]
        portfolio = (await client.next("portfolio"))["data"]["portfolioChanged"]
    # ADA and the first 100 tokens by fingerprint, of 250: said, not presented as the whole.
    assert first["initial"] is True and first["complete"] is False
    assert len(first["added"]) == first["holdingsCount"] == 101
    assert [(e["code"], e["account"]) for e in first["errors"]] == [
        ("HOLDINGS_INCOMPLETE", account)
    ]
    assert [(s["source"], s["holdingsCount"], s["complete"]) for s in portfolio["bySource"]] == [
        ("CARDANO", 101, False)
    ]
    assert [e["code"] for e in portfolio["errors"]] == ["HOLDINGS_INCOMPLETE"]
