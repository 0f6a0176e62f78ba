"""`CalicoLoaders`: one request per distinct key, all at once, filters sent as given; proven by
counting requests at the sandbox and reading what a scripted Calico was sent."""

import asyncio
import dataclasses

import pytest

from sources.calico.client import CalicoClient
from sources.calico.loaders import AssetsKey, CalicoLoaders
from sources.calico.records import AssetsPage
from sources.errors import UpstreamBadResponse
from sources.http import HttpUpstream

from .support import ALICE, BOB, ScriptedCalico, reset, served, set_faults, stats

ROUTE = "GET /accounts/v2/assets"


async def direct(client: CalicoClient, token: str, key: AssetsKey) -> AssetsPage:
    return await client.assets(
        token,
        symbols=key.symbols,
        provider_ids=key.provider_ids,
        limit=key.limit,
        cursor=key.cursor,
    )


def untimed(page: AssetsPage) -> AssetsPage:
    """The page without the time Calico answered, which differs between any two reads."""
    return dataclasses.replace(page, fetched_at=None)


def test_a_key_is_normalised_without_changing_case() -> None:
    key = AssetsKey.of(symbols=[" eth", "BTC", "eth", ""], provider_ids=["Kraken", "coinbase "])
    assert key == AssetsKey(symbols=("BTC", "eth"), provider_ids=("Kraken", "coinbase"))


def test_symbols_differing_in_case_are_different_keys() -> None:
    assert AssetsKey.of(symbols=["stETH"]) != AssetsKey.of(symbols=["STETH"])


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"symbols": [" a,b "]}, ValueError),
        ({"provider_ids": ["a,b"]}, ValueError),
        ({"limit": 0}, ValueError),
        ({"limit": 101}, ValueError),
        ({"symbols": "BTC"}, TypeError),
    ],
)
def test_a_key_refuses_what_calico_would_refuse(
    arguments: dict[str, object], error: type[Exception]
) -> None:
    with pytest.raises(error):
        AssetsKey.of(**arguments)  # type: ignore[arg-type]


async def test_filters_are_sent_to_calico_as_given() -> None:
    fake = ScriptedCalico(body={"page": {}, "errors": [], "data": {"assets": []}})
    async with served(fake) as (_, http):
        loaders = CalicoLoaders.create(CalicoClient(http), ALICE)
        await loaders.assets.load(AssetsKey.of(symbols=["stETH", "BTC"], provider_ids=["Kraken"]))
    [seen] = fake.seen
    assert (seen.query["asset_symbols"], seen.query["provider_ids"]) == ("BTC,stETH", "Kraken")


async def test_distinct_keys_are_one_request_each_all_at_once(
    client: CalicoClient, http: HttpUpstream
) -> None:
    await set_faults(http, latency_ms=100)
    loaders = CalicoLoaders.create(client, ALICE)
    keys = [AssetsKey.of(symbols=[s]) for s in ("BTC", "ETH", "ADA", "ALGO")]
    pages = await asyncio.gather(*(loaders.assets.load(key) for key in keys))
    counted = await stats(http)
    assert counted["routes"][ROUTE] == {"206": 4}
    assert counted["max_in_flight"] == 4
    assert [[a.asset_symbol for a in page.assets] for page in pages] == [
        ["BTC"],
        ["ETH", "ETH"],
        ["ADA"],
        ["ALGO"],
    ]


async def test_a_key_asked_many_times_is_one_request(
    client: CalicoClient, http: HttpUpstream
) -> None:
    loaders = CalicoLoaders.create(client, ALICE)
    keys = [
        AssetsKey.of(symbols=["BTC", "ETH"]),
        AssetsKey.of(symbols=["ETH", "BTC"]),
        AssetsKey.of(symbols=["BTC", " ETH", "ETH", ""]),
    ]
    pages = await asyncio.gather(*(loaders.assets.load(key) for key in keys))
    await loaders.assets.load(keys[0])
    assert (await stats(http))["total"] == 1
    assert pages[0] is pages[1] is pages[2]


async def test_the_unfiltered_first_page_and_filtered_ones_are_each_asked_at_once(
    client: CalicoClient, http: HttpUpstream
) -> None:
    await set_faults(http, latency_ms=100)
    keys = [
        AssetsKey.of(),
        AssetsKey.of(symbols=["BTC"]),
        AssetsKey.of(provider_ids=["kraken"]),
        AssetsKey.of(symbols=["ETH", "USDC"], provider_ids=["metamask", "binance"]),
        AssetsKey.of(symbols=["NOPE"]),
    ]
    loaders = CalicoLoaders.create(client, ALICE)
    batched = await asyncio.gather(*(loaders.assets.load(key) for key in keys))
    counted = await stats(http)
    assert counted["total"] == len(keys)
    assert counted["max_in_flight"] == len(keys)
    await reset(http)
    assert [untimed(page) for page in batched] == [
        untimed(await direct(client, ALICE, key)) for key in keys
    ]


async def test_a_filtered_page_does_not_wait_for_an_unfiltered_page_with_more_pages(
    client: CalicoClient, http: HttpUpstream
) -> None:
    await set_faults(http, latency_ms=100)
    loaders = CalicoLoaders.create(client, ALICE)
    keys = [AssetsKey.of(limit=30), AssetsKey.of(limit=30, symbols=["ETH"])]
    pages = await asyncio.gather(*(loaders.assets.load(key) for key in keys))
    assert pages[0].next_cursor is not None
    assert [a.provider_id for a in pages[1].assets] == ["coinbase", "metamask"]
    assert (await stats(http))["max_in_flight"] == 2


async def test_a_failing_key_fails_alone(client: CalicoClient, http: HttpUpstream) -> None:
    loaders = CalicoLoaders.create(client, ALICE)
    good, bad = await asyncio.gather(
        loaders.assets.load(AssetsKey.of(symbols=["BTC"])),
        loaders.assets.load(AssetsKey.of(cursor="DLVsbG8sIFdvcmxkIQ==")),
        return_exceptions=True,
    )
    assert isinstance(good, AssetsPage) and len(good.assets) == 1
    assert isinstance(bad, UpstreamBadResponse)
    assert (await stats(http))["total"] == 2


async def test_loaders_of_different_requests_share_nothing(
    client: CalicoClient, http: HttpUpstream
) -> None:
    alice = CalicoLoaders.create(client, ALICE)
    bob = CalicoLoaders.create(client, BOB)
    key = AssetsKey.of()
    pages = await asyncio.gather(alice.assets.load(key), bob.assets.load(key))
    assert [len(page.assets) for page in pages] == [75, 2]
    assert (await stats(http))["total"] == 2
