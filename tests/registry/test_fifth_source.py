"""One place per source: a fifth source, defined in `fifth_source/` alone (sandbox, client,
settings block, loaders, resolvers), is served by an app built with it registered, over real
HTTP to its sandbox, without editing any other file; the server's own registry stays the
contract's four."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
import pytest_asyncio

from resolvers.ids import encode_id
from resolvers.sources import SOURCES
from settings import Settings
from sources.sandboxing import RunningSandbox, start_sandbox
from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.live.clients import event_stream
from tests.registry.fifth_source import FIFTH_SOURCE, FifthConfig
from tests.registry.fifth_source.sandbox import FifthSandbox
from tests.sandbox_control import SandboxControl

BALANCES = "GET /v1/wallets/{address}/balances"
FIVE = SOURCES.with_sources(FIFTH_SOURCE)
FIVE_SETTINGS = Settings.with_sources(FifthConfig)

HOLDINGS = """
query($address: String!, $first: Int, $after: String) {
  account(source: FIFTH, address: $address) {
    id source address
    holdings(first: $first, after: $after) {
      nodes { id amount fetchedAt asset { symbol name kind } }
      pageInfo { hasNextPage endCursor }
      complete errors { code }
    }
  }
}
"""


@pytest_asyncio.fixture(scope="module")
async def fifth_sandbox() -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(FifthSandbox())
    try:
        yield running
    finally:
        await running.close()


@pytest_asyncio.fixture
async def control(
    fifth_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> AsyncIterator[SandboxControl]:
    """The fifth sandbox's control API, its counters zeroed for the test."""
    control = SandboxControl(http, fifth_sandbox.url)
    await control.reset()
    yield control


@pytest_asyncio.fixture(scope="module")
async def five(
    sandboxes: Sandboxes, fifth_sandbox: RunningSandbox, http: aiohttp.ClientSession
) -> AsyncIterator[GraphClient]:
    """An app serving the four sources and FIFTH, FIFTH on the sandbox started above."""
    settings = sandboxes.settings(FIVE_SETTINGS, fifth_url=fifth_sandbox.url)
    async with serve_graph(settings, http, FIVE) as client:
        yield client


async def test_the_fifth_sources_holdings_come_from_its_sandbox_exactly(
    five: GraphClient, control: SandboxControl
) -> None:
    before = datetime.now(UTC)
    data = await five.data(HOLDINGS, {"address": "alpha", "first": 2})
    account = data["account"]
    assert (account["source"], account["address"]) == ("FIFTH", "alpha")
    holdings = account["holdings"]
    assert [(n["amount"], n["asset"]["symbol"]) for n in holdings["nodes"]] == [
        ("12.000000000000000001", "FTH"),
        ("0.5", "GLD"),
    ]
    assert holdings["pageInfo"]["hasNextPage"] is True
    assert (holdings["complete"], holdings["errors"]) == (True, [])
    # When its upstream answered, as for the contract's sources.
    times = {datetime.fromisoformat(n["fetchedAt"]) for n in holdings["nodes"]}
    assert len(times) == 1
    assert before <= times.pop() <= datetime.now(UTC)
    assert await control.count(BALANCES) == 1


async def test_its_pages_resume_after_a_cursor(five: GraphClient) -> None:
    first = await five.data(HOLDINGS, {"address": "alpha", "first": 2})
    cursor = first["account"]["holdings"]["pageInfo"]["endCursor"]
    rest = await five.data(HOLDINGS, {"address": "alpha", "first": 2, "after": cursor})
    holdings = rest["account"]["holdings"]
    assert [n["asset"]["symbol"] for n in holdings["nodes"]] == ["ZRO"]
    assert holdings["pageInfo"]["hasNextPage"] is False


async def test_its_loaders_batch_one_request_per_distinct_wallet(
    five: GraphClient, control: SandboxControl
) -> None:
    refs = [{"source": "FIFTH", "address": a} for a in ("alpha", "beta", "alpha")]
    data = await five.data(
        "query($refs: [AccountRef!]!) { accounts(refs: $refs) { holdings { nodes { amount } } } }",
        {"refs": refs},
    )
    amounts = [[n["amount"] for n in a["holdings"]["nodes"]] for a in data["accounts"]]
    assert amounts[1] == ["18446744073709551616"]
    assert amounts[0] == amounts[2]
    assert await control.count(BALANCES) == 2


async def test_a_bad_fifth_address_is_refused_before_any_upstream_call(
    five: GraphClient, control: SandboxControl
) -> None:
    body = await five.query(HOLDINGS, {"address": "Not-A-Wallet"})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "Not-A-Wallet" in body["errors"][0]["message"]
    assert await control.count(BALANCES) == 0


async def test_a_fifth_holding_is_a_node_again(five: GraphClient) -> None:
    data = await five.data(HOLDINGS, {"address": "beta", "first": 1})
    holding_id = data["account"]["holdings"]["nodes"][0]["id"]
    assert holding_id == encode_id("AssetHolding", "FIFTH", "beta", "FTH")
    node = await five.data(
        "query($id: ID!) { node(id: $id) { ... on AssetHolding { amount account { id } } } }",
        {"id": holding_id},
    )
    assert node["node"] == {
        "amount": "18446744073709551616",
        "account": {"id": data["account"]["id"]},
    }


async def test_the_fifth_source_is_in_the_portfolio(
    five: GraphClient, control: SandboxControl
) -> None:
    data = await five.data(
        '{ portfolio(accounts: [{source: FIFTH, address: "beta"}], includeViewer: false) '
        "{ holdingsCount bySource { source holdingsCount } } }"
    )
    assert data["portfolio"] == {
        "holdingsCount": 1,
        "bySource": [{"source": "FIFTH", "holdingsCount": 1}],
    }
    assert await control.count(BALANCES) == 1


async def test_a_fifth_account_can_be_followed_live(
    five: GraphClient, control: SandboxControl, http: aiohttp.ClientSession
) -> None:
    # Its poll interval is the most patient of the others' (it has no setting of its own); the
    # first event, the current state, comes from one reading at once.
    query = """subscription { holdingsChanged(account: {source: FIFTH, address: "beta"}) {
      initial complete holdingsCount account { source address } added { amount } } }"""
    async with event_stream(http, five.url, query) as stream:
        first = (await stream.next())["data"]["holdingsChanged"]
    assert first["initial"] is True and first["complete"] is True
    assert first["account"] == {"source": "FIFTH", "address": "beta"}
    assert first["holdingsCount"] == len(first["added"]) == 1
    assert await control.count(BALANCES) == 1


async def test_its_app_lists_five_sources_and_the_servers_four(
    five: GraphClient, graph: GraphClient
) -> None:
    query = '{ __type(name: "Source") { enumValues { name description } } }'
    served = (await five.data(query))["__type"]["enumValues"]
    assert [v["name"] for v in served] == ["ALGORAND", "CARDANO", "CALICO", "MESH", "FIFTH"]
    assert served[-1]["description"] == FIFTH_SOURCE.description
    four = (await graph.data(query))["__type"]["enumValues"]
    assert [v["name"] for v in four] == ["ALGORAND", "CARDANO", "CALICO", "MESH"]


async def test_the_servers_own_app_does_not_know_the_fifth_source(graph: GraphClient) -> None:
    body = await graph.query(HOLDINGS, {"address": "alpha"})
    assert body.get("data") is None  # refused by validation: no such `Source` value
    assert "FIFTH" in body["errors"][0]["message"]


async def test_without_a_url_the_fifth_source_runs_on_its_embedded_sandbox(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(FIVE_SETTINGS)
    assert settings.sandboxed == {"fifth"}
    async with serve_graph(settings, http, FIVE) as client:
        data = await client.data(HOLDINGS, {"address": "beta"})
    assert [n["asset"]["symbol"] for n in data["account"]["holdings"]["nodes"]] == ["FTH"]


def test_its_settings_block_is_read_by_its_flat_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIFTH_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("FIFTH_PAGE_SIZE", "7")
    monkeypatch.setenv("FIFTH_TIMEOUT_SECONDS", "1.5")
    # FIFTH is then a real upstream, like any other: the server needs its own secrets.
    monkeypatch.setenv("JWT_SECRET", "j" * 40)
    monkeypatch.setenv("CURSOR_SECRET", "c" * 40)
    settings = FIVE_SETTINGS(_env_file=None)  # type: ignore[call-arg]
    assert settings.sandboxed == {"algod", "cardanobi", "calico", "mesh"}
    block = settings.sources()["fifth"]
    assert isinstance(block, FifthConfig)
    assert (block.url, block.page_size) == ("http://127.0.0.1:9", 7)
    assert settings.source_policy("fifth").timeouts.total == 1.5
    assert "FIFTH_PAGE_SIZE" in FIVE_SETTINGS.variable_names()


def test_an_app_serving_a_source_its_settings_lack_is_refused() -> None:
    from server import create_app

    with pytest.raises(ValueError, match="FifthConfig"):
        create_app(Settings(_env_file=None), FIVE)  # type: ignore[call-arg]
