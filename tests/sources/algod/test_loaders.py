"""AlgodLoaders: one request per distinct key, a batch sent at once, failures kept per key.

Every claim is proven by counting at the sandbox (`/_sandbox/stats`), not by trusting the code.
"""

import asyncio

import pytest

from sources.algod import sandbox_data as data
from sources.algod.client import AlgodClient
from sources.algod.loaders import AccountAssetsKey, AlgodLoaders
from sources.algod.records import AssetHoldingsPage
from sources.errors import UpstreamUnavailable
from tests.sources.algod.expected import expected_holdings
from tests.sources.algod.raw import RawNode

ASSETS_ROUTE = "GET /v2/accounts/{address}/assets"


def key(address: str, limit: int = 1000) -> AccountAssetsKey:
    return AccountAssetsKey(address=address, next_token=None, limit=limit)


async def test_ten_distinct_keys_in_one_tick_are_ten_concurrent_requests(
    node: RawNode, client: AlgodClient
) -> None:
    await node.faults(latency_ms=100)
    loaders = AlgodLoaders.create(client)
    addresses = data.BENCH_ADDRESSES[:10]
    pages = await asyncio.gather(*(loaders.account_assets.load(key(a)) for a in addresses))
    stats = await node.stats()
    assert stats["routes"][ASSETS_ROUTE] == {"200": 10}
    assert stats["max_in_flight"] == 10
    assert [list(p.holdings) for p in pages] == [expected_holdings(a) for a in addresses]


async def test_the_same_key_twice_is_one_request(node: RawNode, client: AlgodClient) -> None:
    loaders = AlgodLoaders.create(client)
    first, second = await asyncio.gather(
        loaders.account_assets.load(key(data.SMALL)), loaders.account_assets.load(key(data.SMALL))
    )
    assert first is second
    assert await node.routes(ASSETS_ROUTE) == {"200": 1}


async def test_a_key_loaded_again_later_in_the_request_is_served_from_cache(
    node: RawNode, client: AlgodClient
) -> None:
    loaders = AlgodLoaders.create(client)
    await loaders.account.load(data.WHALE)
    await loaders.account.load(data.WHALE)
    assert (await node.stats())["total"] == 1


async def test_keys_differing_only_in_page_are_separate_requests(
    node: RawNode, client: AlgodClient
) -> None:
    loaders = AlgodLoaders.create(client)
    first = await loaders.account_assets.load(key(data.WHALE, limit=2))
    pages = await asyncio.gather(
        loaders.account_assets.load(key(data.WHALE, limit=2)),
        loaders.account_assets.load(AccountAssetsKey(data.WHALE, first.next_token, 2)),
    )
    assert pages[0] is first
    assert pages[1].holdings[0].asset_id > first.holdings[-1].asset_id
    assert await node.routes(ASSETS_ROUTE) == {"200": 2}


async def test_one_failing_key_fails_only_its_own_slot(node: RawNode, client: AlgodClient) -> None:
    await node.faults(status=500, path=f"/v2/accounts/{data.SMALL}/assets")
    loaders = AlgodLoaders.create(client)
    results = await asyncio.gather(
        loaders.account_assets.load(key(data.EMPTY)),
        loaders.account_assets.load(key(data.SMALL)),
        loaders.account_assets.load(key(data.BENCH_ADDRESSES[0])),
        return_exceptions=True,
    )
    assert isinstance(results[0], AssetHoldingsPage)
    assert isinstance(results[1], UpstreamUnavailable)
    assert isinstance(results[2], AssetHoldingsPage)
    assert await node.routes(ASSETS_ROUTE) == {"200": 2, "500": 1}


async def test_asset_loader_answers_params_or_none_per_key(
    node: RawNode, client: AlgodClient
) -> None:
    loaders = AlgodLoaders.create(client)
    usdc, destroyed, again = await asyncio.gather(
        loaders.asset.load(data.USDC_ID),
        loaders.asset.load(data.DESTROYED_ID),
        loaders.asset.load(data.USDC_ID),
    )
    assert usdc is not None and usdc.params.unit_name == "USDC"
    assert destroyed is None
    assert again is usdc
    assert await node.routes("GET /v2/assets/{asset_id}") == {"200": 1, "404": 1}


async def test_account_loader_batches_distinct_addresses(
    node: RawNode, client: AlgodClient
) -> None:
    loaders = AlgodLoaders.create(client)
    accounts = await loaders.account.load_many([data.WHALE, data.SMALL, data.EMPTY, data.WHALE])
    assert [a.amount for a in accounts] == [
        data.algo_balances()[a] for a in (data.WHALE, data.SMALL, data.EMPTY, data.WHALE)
    ]
    assert await node.routes("GET /v2/accounts/{address}") == {"200": 3}


async def test_each_create_starts_with_an_empty_cache(node: RawNode, client: AlgodClient) -> None:
    await AlgodLoaders.create(client).account.load(data.SMALL)
    await AlgodLoaders.create(client).account.load(data.SMALL)
    assert await node.routes("GET /v2/accounts/{address}") == {"200": 2}


async def test_a_failed_key_is_not_retried_within_the_request(
    node: RawNode, client: AlgodClient
) -> None:
    await node.faults(status=503)
    loaders = AlgodLoaders.create(client)
    for _ in range(2):
        with pytest.raises(UpstreamUnavailable):
            await loaders.account.load(data.SMALL)
    assert (await node.stats())["total"] == 1
