"""Who may subscribe to what: the bearer token and X-Calico-Token in `connection_init` (or the
SSE request's headers), custodial data only for its own user, the end of a subscription when
its token expires, and no event of one user ever reaching another."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import aiohttp

from tests.harness import CALICO_TOKENS, GraphClient, Sandboxes
from tests.live.clients import TransportWS, event_stream
from tests.live.support import HOLDINGS, PORTFOLIO, SMALL, holdings_of


def _init(user: str, calico: bool = True, **claims: Any) -> dict[str, str]:
    payload = {"Authorization": f"Bearer {GraphClient.token(user, **claims)}"}
    if calico:
        payload["X-Calico-Token"] = CALICO_TOKENS[user]
    return payload


def _errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    if message["type"] == "error":
        errors: list[dict[str, Any]] = message["payload"]
        return errors
    assert message["type"] == "next", message
    errors = message["payload"]["errors"]
    return errors


async def test_custodial_holdings_need_a_bearer_token(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("MESH", "alice"))
        errors = _errors(await client.message("1"))
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await clean.mesh.total() == 0


async def test_another_users_custodial_account_is_forbidden(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url, _init("bob")) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("CALICO", "alice"))
        errors = _errors(await client.message("1"))
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert await clean.calico.total() == 0


async def test_the_token_in_connection_init_reads_the_viewers_portfolio(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with TransportWS.open(http, live.url, _init("alice")) as client:
        await client.subscribe("1", PORTFOLIO, {"accounts": [], "viewer": True})
        event = (await client.next("1"))["data"]["portfolioChanged"]
    assert event["initial"] is True
    assert [a["source"] for a in event["portfolio"]["accounts"]] == ["CALICO", "MESH"]
    assert {a["address"] for a in event["portfolio"]["accounts"]} == {"alice"}
    calico = next(s for s in event["bySource"] if s["source"] == "CALICO")
    assert calico["complete"] is False
    assert event["errors"] == [
        {"source": "CALICO", "code": "PROVIDER_ERROR", "provider": "binance"}
    ]
    assert event["moved"] and all(move["previous"] is None for move in event["moved"])


async def test_sse_takes_the_token_from_the_request_headers(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    headers = live.headers("bob", calico=True)
    async with event_stream(
        http, live.url, HOLDINGS, holdings_of("CALICO", "bob"), headers=headers
    ) as stream:
        event = (await stream.next())["data"]["holdingsChanged"]
    assert event["initial"] is True and event["account"]["address"] == "bob"
    assert len(event["added"]) == 2


async def test_without_a_token_the_viewer_part_is_missing_not_the_subscription(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    accounts = [{"source": "ALGORAND", "address": SMALL}]
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", PORTFOLIO, {"accounts": accounts, "viewer": True})
        event = (await client.next("1"))["data"]["portfolioChanged"]
    assert {(e["source"], e["code"]) for e in event["errors"]} == {
        ("CALICO", "UNAUTHENTICATED"),
        ("MESH", "UNAUTHENTICATED"),
    }
    assert event["portfolio"]["holdingsCount"] == 4


async def test_a_token_that_expires_ends_the_subscription_with_unauthenticated(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    payload = _init("alice", lifetime=timedelta(seconds=3))
    async with TransportWS.open(http, live.url, payload) as client:
        await client.subscribe("1", HOLDINGS, holdings_of("MESH", "alice"))
        first = (await client.next("1"))["data"]["holdingsChanged"]
        assert first["initial"] is True
        ended = await client.message("1")
        while ended["type"] == "next" and ended["payload"].get("data"):
            ended = await client.message("1")  # a change before the end, if any
        assert [e["extensions"]["code"] for e in _errors(ended)] == ["UNAUTHENTICATED"]
        assert "expired" in _errors(ended)[0]["message"]
        assert (await client.message("1"))["type"] == "complete"


async def test_no_user_ever_receives_another_users_event(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with (
        TransportWS.open(http, live.url, _init("alice")) as alice,
        TransportWS.open(http, live.url, _init("bob")) as bob,
    ):
        for client in (alice, bob):
            await client.subscribe("portfolio", PORTFOLIO, {"accounts": [], "viewer": True})
            await client.subscribe("calico", HOLDINGS, holdings_of("CALICO", "bob"))
        bobs_first = (await bob.next("calico"))["data"]["holdingsChanged"]
        # alice may not follow bob's account at all.
        refused = _errors(await alice.message("calico"))
        assert refused[0]["extensions"]["code"] == "FORBIDDEN"
        firsts = {
            name: (await client.next("portfolio"))["data"]["portfolioChanged"]
            for name, client in (("alice", alice), ("bob", bob))
        }
        await clean.calico.change_holdings(user="alice", set={"coinbase:BTC": "99.5"})
        alices = (await alice.next("portfolio"))["data"]["portfolioChanged"]
        await clean.calico.change_holdings(user="bob", set={"kraken:BTC": "0.25"})
        bobs = (await bob.next("portfolio"))["data"]["portfolioChanged"]
        bobs_change = (await bob.next("calico"))["data"]["holdingsChanged"]
        # alice heard nothing of bob's change, bob nothing of alice's.
        assert alice.pending("portfolio") == 0 and bob.pending("portfolio") == 0
    for name, event in (*firsts.items(), ("alice", alices), ("bob", bobs)):
        owners = {
            h["holding"]["account"]["address"]
            for move in event["moved"]
            for h in (move["current"] or {"holdings": []})["holdings"]
        }
        assert owners <= {name}, (name, owners)
    assert [m["current"]["amount"] for m in alices["moved"] if m["key"].endswith("slip44:0")] == [
        "99.5"
    ]
    assert bobs_first["account"]["address"] == bobs_change["account"]["address"] == "bob"
    assert [c["amount"] for c in bobs_change["changed"]] == ["0.25"]
