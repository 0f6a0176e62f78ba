"""The world moves: each change made through a sandbox's control route reaches subscribers as
one event listing exactly what changed, with the new round, and nothing else."""

from __future__ import annotations

import aiohttp

from sources.cardanobi import sandbox_data as cardano_data
from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes
from tests.live.clients import TransportWS, event_stream
from tests.live.support import HOLDINGS, PORTFOLIO, SMALL, holdings_of

CARDANO_SMALL = cardano_data.SMALL
FXL_TOKEN = next(t for t in cardano_data.tokens()[CARDANO_SMALL] if t.name == "FXL")
FXL = FXL_TOKEN.fingerprint
USDC = 31566704
MAM = 221685458


async def test_an_amount_changed_on_algod_is_one_event_with_the_old_and_new_amounts(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        first = (await client.next("1"))["data"]["holdingsChanged"]
        usdc = next(h for h in first["added"] if h["asset"]["symbol"] == "USDC")
        answer = await clean.algod.change_holdings(
            address=SMALL, set={str(USDC): 18446744073709551615}
        )
        event = (await client.next("1"))["data"]["holdingsChanged"]
    assert event["initial"] is False and event["round"] == str(answer["round"]) == "48500001"
    assert event["added"] == event["removed"] == []
    assert event["changed"] == [
        {
            "holding": {"id": usdc["id"]},
            "previousAmount": usdc["amount"],
            "amount": "18446744073709.551615",
            "previousRawAmount": usdc["rawAmount"],
            "rawAmount": "18446744073709551615",
        }
    ]


async def test_an_opt_in_and_an_opt_out_are_added_and_removed_over_sse(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with event_stream(http, live.url, HOLDINGS, holdings_of("ALGORAND", SMALL)) as stream:
        first = (await stream.next())["data"]["holdingsChanged"]
        mam = next(h for h in first["added"] if h["asset"]["symbol"] == "MAM")
        await clean.algod.change_holdings(address=SMALL, set={"2000000001": 7}, remove=[MAM])
        event = (await stream.next())["data"]["holdingsChanged"]
    assert [h["asset"]["symbol"] for h in event["added"]] == ["MAXS"]
    assert event["added"][0]["rawAmount"] == "7"
    assert event["removed"] == [{"id": mam["id"], "amount": mam["amount"]}]
    assert event["changed"] == [] and event["holdingsCount"] == first["holdingsCount"]


async def test_a_new_round_without_a_change_is_no_event(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("ALGORAND", SMALL))
        await client.next("1")
        await clean.algod.change_holdings(rounds=3)
        await clean.algod.change_holdings(address=SMALL, set={"ALGO": 1})
        event = (await client.next("1"))["data"]["holdingsChanged"]
    # The first event after the empty rounds is the balance's, at the round after them.
    assert event["round"] == "48500004"
    assert [(c["previousRawAmount"], c["rawAmount"]) for c in event["changed"]] == [
        ("9208681971", "1")
    ]


async def test_a_change_document_with_an_unknown_key_is_refused_naming_it(
    clean: Sandboxes,
) -> None:
    status, answer = await clean.algod.try_control("holdings", {"address": SMALL, "amounts": {}})
    assert status == 400
    assert "amounts" in answer["error"]


async def test_custodial_changes_on_calico_and_mesh_reach_their_user(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    payload = {
        "Authorization": f"Bearer {GraphClient.token('alice')}",
        "X-Calico-Token": CALICO_TOKENS["alice"],
    }
    async with TransportWS.open(http, live.url, payload) as client:
        await client.subscribe("mesh", HOLDINGS, holdings_of("MESH", "alice"))
        await client.subscribe("calico", HOLDINGS, holdings_of("CALICO", "alice"))
        mesh = (await client.next("mesh"))["data"]["holdingsChanged"]
        calico = (await client.next("calico"))["data"]["holdingsChanged"]
        await clean.mesh.change_holdings(user="alice", set={"EQUITY:TSLA": "1.5"})
        mesh_change = (await client.next("mesh"))["data"]["holdingsChanged"]
        await clean.calico.change_holdings(user="alice", remove=["kraken:ADA"])
        calico_change = (await client.next("calico"))["data"]["holdingsChanged"]
    tsla = next(h for h in mesh["added"] if h["asset"]["symbol"] == "TSLA")
    assert [
        (c["holding"]["id"], c["previousAmount"], c["amount"]) for c in mesh_change["changed"]
    ] == [(tsla["id"], tsla["amount"], "1.5")]
    ada = [h for h in calico["added"] if h["asset"]["symbol"] == "ADA"]
    assert [h["id"] for h in calico_change["removed"]] == [h["id"] for h in ada] != []
    assert calico_change["holdingsCount"] == calico["holdingsCount"] - len(ada)


async def test_a_cardano_token_changed_on_cardanobi_is_one_event(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("CARDANO", CARDANO_SMALL))
        first = (await client.next("1"))["data"]["holdingsChanged"]
        caip19 = f"{FXL_TOKEN.policy_hex}.{FXL_TOKEN.name_hex}"
        token = next(h for h in first["added"] if (h["asset"]["caip19"] or "").endswith(caip19))
        await clean.cardanobi.change_holdings(account=CARDANO_SMALL, set={FXL: 9223372036854775807})
        event = (await client.next("1"))["data"]["holdingsChanged"]
    assert event["errors"] == [], event["errors"]
    assert [(c["holding"]["id"], c["rawAmount"]) for c in event["changed"]] == [
        (token["id"], "9223372036854775807")
    ]
    assert event["round"] is None and event["added"] == event["removed"] == []


async def test_a_portfolio_event_lists_the_asset_total_that_moved_and_the_new_totals(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    accounts = [{"source": "ALGORAND", "address": SMALL}]
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", PORTFOLIO, {"accounts": accounts, "viewer": False})
        first = (await client.next("1"))["data"]["portfolioChanged"]
        usdc = next(m for m in first["moved"] if m["key"].endswith(f"/asa:{USDC}"))
        await clean.algod.change_holdings(address=SMALL, set={str(USDC): 1})
        event = (await client.next("1"))["data"]["portfolioChanged"]
    assert first["initial"] is True and first["errors"] == []
    assert len(first["moved"]) == first["portfolio"]["holdingsCount"]
    assert event["initial"] is False
    assert [
        (m["key"], m["previous"]["amount"], m["current"]["amount"]) for m in event["moved"]
    ] == [(usdc["key"], usdc["current"]["amount"], "0.000001")]
    assert event["bySource"] == first["bySource"]  # nothing on-chain is valued without Calico
    assert event["portfolio"]["holdingsCount"] == first["portfolio"]["holdingsCount"]
