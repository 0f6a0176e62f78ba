"""`CalicoLoaders`: one request per distinct key, all at once, first pages cut from a complete
unfiltered page; proven by counting requests at the sandbox."""

import asyncio

import pytest

from sources.calico.client import CalicoClient
from sources.calico.loaders import AssetsKey, CalicoLoaders
from sources.calico.records import AssetsPage, ProviderFailure
from sources.errors import UpstreamBadResponse, UpstreamUnavailable
from sources.http import HttpUpstream

from .support import ALICE, BOB, reset, set_faults, stats

ROUTE = "GET /accounts/v2/assets"


async def direct(client: CalicoClient, token: str, key: AssetsKey) -> AssetsPage:
    return await client.assets(
        token,
        symbols=key.symbols,
        provider_ids=key.provider_ids,
        limit=key.limit,
        cursor=key.cursor,
    )


def test_a_key_is_normalised() -> None:
    key = AssetsKey.of(symbols=["eth", "BTC", "Eth"], provider_ids=["Kraken", "coinbase"])
    assert key == AssetsKey(symbols=("BTC", "ETH"), provider_ids=("coinbase", "kraken"))


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"symbols": [""]}, ValueError),
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
        AssetsKey.of(symbols=["btc", "ETH"]),
        AssetsKey.of(symbols=["ETH", "BTC"]),
        AssetsKey.of(symbols=["Btc", "eth", "ETH"]),
    ]
    pages = await asyncio.gather(*(loaders.assets.load(key) for key in keys))
    await loaders.assets.load(keys[0])
    assert (await stats(http))["total"] == 1
    assert pages[0] is pages[1] is pages[2]


async def test_filtered_first_pages_are_cut_from_a_complete_unfiltered_page(
    client: CalicoClient, http: HttpUpstream
) -> None:
    keys = [
        AssetsKey.of(),
        AssetsKey.of(symbols=["btc"]),
        AssetsKey.of(provider_ids=["kraken"]),
        AssetsKey.of(provider_ids=["binance"]),
        AssetsKey.of(symbols=["ETH", "USDC"], provider_ids=["metamask", "binance"]),
        AssetsKey.of(symbols=["NOPE"]),
    ]
    loaders = CalicoLoaders.create(client, ALICE)
    merged = await asyncio.gather(*(loaders.assets.load(key) for key in keys))
    assert (await stats(http))["total"] == 1
    await reset(http)
    assert merged == [await direct(client, ALICE, key) for key in keys]
    assert (await stats(http))["total"] == len(keys)


async def test_a_cut_page_keeps_only_the_requested_providers_errors(client: CalicoClient) -> None:
    loaders = CalicoLoaders.create(client, ALICE)
    whole, coinbase, binance = await asyncio.gather(
        loaders.assets.load(AssetsKey.of()),
        loaders.assets.load(AssetsKey.of(provider_ids=["coinbase"])),
        loaders.assets.load(AssetsKey.of(provider_ids=["binance", "coinbase"])),
    )
    down = (ProviderFailure("binance", "unauthorized"),)
    assert (whole.errors, coinbase.errors, binance.errors) == (down, (), down)
    assert len(coinbase.assets) == len(binance.assets) == 30


async def test_filtered_pages_are_asked_when_the_unfiltered_page_is_not_the_last(
    client: CalicoClient, http: HttpUpstream
) -> None:
    loaders = CalicoLoaders.create(client, ALICE)
    keys = [AssetsKey.of(limit=30), AssetsKey.of(limit=30, symbols=["ETH"])]
    pages = await asyncio.gather(*(loaders.assets.load(key) for key in keys))
    assert (await stats(http))["total"] == 2
    assert pages[0].next_cursor is not None
    assert [a.provider_id for a in pages[1].assets] == ["coinbase", "metamask"]


async def test_a_filtered_page_of_another_limit_is_asked_itself(
    client: CalicoClient, http: HttpUpstream
) -> None:
    loaders = CalicoLoaders.create(client, BOB)
    await asyncio.gather(
        loaders.assets.load(AssetsKey.of(limit=100)),
        loaders.assets.load(AssetsKey.of(limit=50, symbols=["BTC"])),
    )
    assert (await stats(http))["total"] == 2


async def test_a_filtered_later_page_is_asked_itself(
    client: CalicoClient, http: HttpUpstream
) -> None:
    cursor = (await client.assets(ALICE, symbols=["ETH"], limit=1)).next_cursor
    await reset(http)
    loaders = CalicoLoaders.create(client, ALICE)
    _, later = await asyncio.gather(
        loaders.assets.load(AssetsKey.of(limit=1)),
        loaders.assets.load(AssetsKey.of(limit=1, symbols=["ETH"], cursor=cursor)),
    )
    assert (await stats(http))["total"] == 2
    assert [a.provider_id for a in later.assets] == ["metamask"]


async def test_filtered_pages_are_asked_when_the_unfiltered_page_fails(
    client: CalicoClient, http: HttpUpstream
) -> None:
    await set_faults(http, status=503)
    loaders = CalicoLoaders.create(client, ALICE)
    results = await asyncio.gather(
        loaders.assets.load(AssetsKey.of()),
        loaders.assets.load(AssetsKey.of(symbols=["BTC"])),
        return_exceptions=True,
    )
    assert (await stats(http))["routes"][ROUTE] == {"503": 2}
    assert all(isinstance(result, UpstreamUnavailable) for result in results)


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


async def test_the_loaders_repr_shows_no_token(client: CalicoClient) -> None:
    loaders = CalicoLoaders.create(client, ALICE)
    assert ALICE not in repr(loaders)
