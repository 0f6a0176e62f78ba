"""Wrong or absurd algod answers become `UpstreamBadResponse`, never a stray exception: for the
page when the page is wrong, for the one holding when only a holding is (the page keeps the
others), and never for a field the graph does not read.

The faithful sandbox never sends these; `FakeNode` does, over real HTTP.
"""

import json
from typing import Any

import pytest

from sources.algod import sandbox_data as data
from sources.algod.client import AlgodClient
from sources.errors import UpstreamBadResponse
from sources.parsing import Rejected
from sources.sandboxing import RunningSandbox
from tests.sources.algod.conftest import MakeClient
from tests.sources.algod.fake_node import FakeNode

Fake = tuple[FakeNode, RunningSandbox]

PARAMS: dict[str, Any] = {
    "creator": data.USDC_CREATOR,
    "decimals": 6,
    "default-frozen": False,
    "name": "USDC",
    "name-b64": "VVNEQw==",
    "total": 10**12,
    "unit-name": "USDC",
    "unit-name-b64": "VVNEQw==",
}


def entry(
    asset_id: int = 7, amount: Any = 5, overrides: dict[str, Any] | None = None, **params: Any
) -> dict[str, Any]:
    return {
        "asset-holding": {"amount": amount, "asset-id": asset_id, "is-frozen": False},
        "asset-params": {**PARAMS, **params, **(overrides or {})},
    }


def page(*entries: dict[str, Any], **extra: Any) -> str:
    return json.dumps({"asset-holdings": list(entries), "round": 10, **extra})


def without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


async def fake_client(fake: Fake, make_client: MakeClient, body: str) -> AlgodClient:
    node, running = fake
    node.answer(body)
    return await make_client(running.url)


BAD_HOLDINGS: dict[str, tuple[Any, str | None]] = {
    # the bad holding (asset 7, between good 5 and 9), and the label it is named by
    "decimals above 19": (entry(7, decimals=20), "7"),
    "negative amount": (entry(7, amount=-1), "7"),
    "amount above uint64": (entry(7, amount=2**64, total=2**64), "7"),
    "amount as a string": (entry(7, amount="5"), "7"),
    "amount as a fraction": (
        {"asset-holding": {"amount": 1.5, "asset-id": 7, "is-frozen": False}},
        "7",
    ),
    "amount above the total": (entry(7, amount=11, total=10), "7"),
    "is-frozen as a string": (
        {"asset-holding": {"amount": 1, "asset-id": 7, "is-frozen": "false"}},
        "7",
    ),
    "asset-id missing": ({"asset-holding": {"amount": 1, "is-frozen": False}}, None),
    "total missing": (
        {
            "asset-holding": {"amount": 1, "asset-id": 7, "is-frozen": False},
            "asset-params": without(PARAMS, "total"),
        },
        "7",
    ),
    "entry not an object": (7, None),
    "name-b64 not base64": (entry(7, overrides={"name-b64": "not base64!"}), "7"),
}


@pytest.mark.parametrize(("bad", "label"), BAD_HOLDINGS.values(), ids=BAD_HOLDINGS.keys())
async def test_a_bad_holding_costs_only_itself(
    fake: Fake, make_client: MakeClient, bad: Any, label: str | None
) -> None:
    body = json.dumps({"asset-holdings": [entry(5), bad, entry(9)], "round": 10})
    client = await fake_client(fake, make_client, body)
    result = await client.account_assets(data.WHALE)
    assert [h.asset_id for h in result.holdings] == [5, 9]
    rejected = result.entries[1]
    assert isinstance(rejected, Rejected)
    assert (rejected.index, rejected.label) == (1, label)
    assert isinstance(rejected.error, UpstreamBadResponse)
    assert "asset-holdings[1]" in rejected.error.message


async def test_fields_the_graph_does_not_serve_are_not_read(
    fake: Fake, make_client: MakeClient
) -> None:
    odd = {"creator": 7, "url": [], "unit-name-b64": "not base64!", "default-frozen": "no"}
    client = await fake_client(fake, make_client, page(entry(7, overrides=odd)))
    (holding,) = (await client.account_assets(data.WHALE)).holdings
    assert holding.params is not None and holding.params.name == "USDC"


BAD_PAGES = {
    "round missing": json.dumps({"asset-holdings": [entry()]}),
    "asset-holdings an object": json.dumps({"asset-holdings": entry(), "round": 10}),
    "next-token not a number": page(entry(), **{"next-token": "abc"}),
    "next-token negative": page(entry(), **{"next-token": "-7"}),
    "next-token not the last id": page(entry(7), entry(8), **{"next-token": "7"}),
    "ids descending": page(entry(9), entry(8)),
    "an id twice": page(entry(8), entry(8)),
    "a JSON list": "[]",
    "not JSON": "<html>502 Bad Gateway</html>",
}


@pytest.mark.parametrize("body", BAD_PAGES.values(), ids=BAD_PAGES.keys())
async def test_bad_holdings_page_is_a_bad_response(
    fake: Fake, make_client: MakeClient, body: str
) -> None:
    client = await fake_client(fake, make_client, body)
    with pytest.raises(UpstreamBadResponse):
        await client.account_assets(data.WHALE)


async def test_page_that_does_not_advance_past_next_is_a_bad_response(
    fake: Fake, make_client: MakeClient
) -> None:
    client = await fake_client(fake, make_client, page(entry(7), **{"next-token": "7"}))
    with pytest.raises(UpstreamBadResponse):
        await client.account_assets(data.WHALE, next_token="7")


async def test_page_without_asset_holdings_is_empty(fake: Fake, make_client: MakeClient) -> None:
    # The spec marks `asset-holdings` optional; an absent list holds nothing.
    client = await fake_client(fake, make_client, '{"round": 10}')
    result = await client.account_assets(data.WHALE)
    assert (result.holdings, result.next_token, result.round) == ((), None, 10)


async def test_page_reads_large_uint64_values_exactly(fake: Fake, make_client: MakeClient) -> None:
    body = page(entry(2**64 - 1, amount=2**64 - 1, total=2**64 - 1, decimals=19))
    client = await fake_client(fake, make_client, body)
    (holding,) = (await client.account_assets(data.WHALE)).holdings
    assert holding.params is not None
    assert (holding.asset_id, holding.amount, holding.params.total) == (2**64 - 1,) * 3


ACCOUNT = {
    "address": data.WHALE,
    "amount": 5,
    "round": 10,
    "total-assets-opted-in": 1,
}
BAD_ACCOUNTS = {
    "amount missing": json.dumps(without(ACCOUNT, "amount")),
    "amount negative": json.dumps({**ACCOUNT, "amount": -5}),
    "amount as a string": json.dumps({**ACCOUNT, "amount": "5"}),
    "round missing": json.dumps(without(ACCOUNT, "round")),
    "another account": json.dumps({**ACCOUNT, "address": data.SMALL}),
}


@pytest.mark.parametrize("body", BAD_ACCOUNTS.values(), ids=BAD_ACCOUNTS.keys())
async def test_bad_account_is_a_bad_response(
    fake: Fake, make_client: MakeClient, body: str
) -> None:
    client = await fake_client(fake, make_client, body)
    with pytest.raises(UpstreamBadResponse):
        await client.account(data.WHALE)


BAD_ASSETS = {
    "another asset": json.dumps({"index": 8, "params": PARAMS}),
    "params missing": json.dumps({"index": 7}),
    "decimals negative": json.dumps({"index": 7, "params": {**PARAMS, "decimals": -1}}),
}


@pytest.mark.parametrize("body", BAD_ASSETS.values(), ids=BAD_ASSETS.keys())
async def test_bad_asset_is_a_bad_response(fake: Fake, make_client: MakeClient, body: str) -> None:
    client = await fake_client(fake, make_client, body)
    with pytest.raises(UpstreamBadResponse):
        await client.asset(7)
