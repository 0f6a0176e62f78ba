"""The CardanoBI loaders batch and dedupe: each distinct key is one upstream request, a batch runs
concurrently, answers come in key order, and a failed key fails alone. Counted at the sandbox."""

import asyncio

import pytest

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from sources.cardanobi.loaders import AccountAssetsKey, CardanoBILoaders
from sources.errors import UpstreamUnavailable

from .support import Control

ASSETS_ROUTE = "GET /api/core/accounts/{stake_address}/assets"
ACCOUNT_ROUTE = "GET /api/core/accounts/{stake_address}"
ASSET_ROUTE = "GET /api/core/assets/{fingerprint}"
BENCH = data.BENCH_STAKE_ADDRESSES


async def warm(client: CardanoBIClient, control: Control) -> None:
    """Fetch the token now, then zero the counters, so only the loaders' requests count."""
    await client.account(data.SMALL)
    await control.reset()


async def test_distinct_pages_are_one_request_each_and_duplicates_none(
    client: CardanoBIClient, control: Control
) -> None:
    await warm(client, control)
    loaders = CardanoBILoaders.create(client)
    keys = [AccountAssetsKey(address, 0, 99) for address in BENCH[:5]]
    pages = await asyncio.gather(*(loaders.account_assets.load(k) for k in [*keys, *keys, keys[0]]))
    assert await control.count(ASSETS_ROUTE) == 5
    for key, page in zip([*keys, *keys, keys[0]], pages, strict=True):
        assert [a.fingerprint for a in page.assets] == [
            t.fingerprint for t in data.tokens()[key.stake_address]
        ]


async def test_a_batch_is_sent_concurrently(client: CardanoBIClient, control: Control) -> None:
    await warm(client, control)
    await control.faults(latency_ms=150, path="/api/core/accounts")
    loaders = CardanoBILoaders.create(client)
    started = asyncio.get_running_loop().time()
    infos = await loaders.account.load_many(list(BENCH[:8]))
    elapsed = asyncio.get_running_loop().time() - started
    assert [i.total_balance for i in infos if i is not None] == [
        data.ada_balances()[a] for a in BENCH[:8]
    ]
    stats = await control.stats()
    assert stats["max_in_flight"] == 8
    assert stats["routes"][ACCOUNT_ROUTE] == {"200": 8}
    assert elapsed < 8 * 0.150 / 2


async def test_offsets_of_one_account_are_separate_keys(
    client: CardanoBIClient, control: Control
) -> None:
    await warm(client, control)
    await control.settings(odata=True)
    loaders = CardanoBILoaders.create(client)
    keys = [AccountAssetsKey(data.COLLECTOR, skip, 99) for skip in (0, 99, 198, 297)]
    pages = await loaders.account_assets.load_many(keys)
    assert [len(page.assets) for page in pages] == [99, 99, 52, 0]
    assert (await control.stats())["routes"][ASSETS_ROUTE] == {"200": 4}


async def test_top_is_part_of_the_key(client: CardanoBIClient, control: Control) -> None:
    await warm(client, control)
    await control.settings(odata=True)
    loaders = CardanoBILoaders.create(client)
    three, five = await loaders.account_assets.load_many(
        [AccountAssetsKey(data.SMALL, 0, 3), AccountAssetsKey(data.SMALL, 0, 5)]
    )
    assert three.assets == five.assets[:3] and len(five.assets) == 5
    assert await control.count(ASSETS_ROUTE) == 2


async def test_account_loader_dedupes_and_answers_none_for_unknown(
    client: CardanoBIClient, control: Control
) -> None:
    await warm(client, control)
    loaders = CardanoBILoaders.create(client)
    unknown = stake_address(bytes(28), CARDANO_NETWORKS["mainnet"])
    results = await loaders.account.load_many([data.COLLECTOR, data.COLLECTOR, unknown])
    assert results[0] is not None and results[0].total_balance == data.COLLECTOR_ADA
    assert results[1] is results[0]
    assert results[2] is None
    assert sum((await control.stats())["routes"][ACCOUNT_ROUTE].values()) == 2


async def test_asset_loader_loads_each_fingerprint_once(
    client: CardanoBIClient, control: Control
) -> None:
    await warm(client, control)
    loaders = CardanoBILoaders.create(client)
    fingerprints = [t.fingerprint for t in data.tokens()[data.SMALL]]
    details = await loaders.asset.load_many([*fingerprints, *fingerprints])
    assert [d.fingerprint for d in details if d is not None] == [*fingerprints, *fingerprints]
    assert await control.count(ASSET_ROUTE) == 5


async def test_a_failed_key_fails_alone(client: CardanoBIClient, control: Control) -> None:
    await warm(client, control)
    await control.faults(status=503, path=BENCH[1])
    loaders = CardanoBILoaders.create(client)
    results = await asyncio.gather(
        *(loaders.account.load(address) for address in BENCH[:3]), return_exceptions=True
    )
    assert isinstance(results[1], UpstreamUnavailable)
    assert not isinstance(results[0], BaseException) and results[0] is not None
    assert not isinstance(results[2], BaseException) and results[2] is not None


async def test_loaders_of_another_request_do_not_share_a_cache(
    client: CardanoBIClient, control: Control
) -> None:
    await warm(client, control)
    first, second = CardanoBILoaders.create(client), CardanoBILoaders.create(client)
    await first.account.load(data.SMALL)
    await first.account.load(data.SMALL)
    await second.account.load(data.SMALL)
    assert await control.count(ACCOUNT_ROUTE) == 2


@pytest.mark.parametrize("page_size", [0, 101])
async def test_a_bad_key_fails_in_its_own_slot_without_a_request(
    client: CardanoBIClient, control: Control, page_size: int
) -> None:
    await warm(client, control)
    loaders = CardanoBILoaders.create(client)
    bad, good = await asyncio.gather(
        loaders.account_assets.load(AccountAssetsKey(data.SMALL, 1, page_size)),
        loaders.account_assets.load(AccountAssetsKey(data.SMALL, 1, 5)),
        return_exceptions=True,
    )
    assert isinstance(bad, ValueError)
    assert not isinstance(good, BaseException) and len(good.assets) == 5
    assert await control.count(ASSETS_ROUTE) == 1
