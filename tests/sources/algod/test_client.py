"""AlgodClient against the sandbox node: exact reference values, paging, auth, errors."""

from collections.abc import Awaitable, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.algod import sandbox_data as data
from sources.algod.client import AlgodClient
from sources.algod.records import AssetHolding, AssetInfo, AssetParams
from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamQuotaExceeded,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.http import Timeouts
from sources.sandboxing import RunningSandbox
from tests.sources.algod.conftest import MakeClient
from tests.sources.algod.expected import expected_holdings, expected_params
from tests.sources.algod.raw import RawNode

UNKNOWN = "4EWWI7JNVXSFN4YRYA5DMN53U7NUHYC5YSMF67FAXDNRLDWDIWGM5DQGBA"
"""A valid address the ledger does not know (UPSTREAMS.md §1.6's test vector)."""

USDC_PARAMS = AssetParams(
    decimals=6, total=18446744073709551615, name="USDC", name_raw=b"USDC", unit_name="USDC"
)


async def holding_of(client: AlgodClient, address: str, asset_id: int) -> AssetHolding:
    """The holding of `asset_id`, read as a one-item page right after the id before it."""
    page = await client.account_assets(address, limit=1, next_token=str(asset_id - 1))
    (holding,) = page.holdings
    assert holding.asset_id == asset_id
    return holding


async def walk(client: AlgodClient, address: str, limit: int) -> list[AssetHolding]:
    seen: list[AssetHolding] = []
    token: str | None = None
    while True:
        page = await client.account_assets(address, limit=limit, next_token=token)
        assert len(page.holdings) <= limit
        seen.extend(page.holdings)
        if page.next_token is None:
            return seen
        assert page.next_token == str(page.holdings[-1].asset_id)
        token = page.next_token


async def test_first_whale_page_has_algods_default_1000_holdings_and_a_next_token(
    client: AlgodClient,
) -> None:
    page = await client.account_assets(data.WHALE)
    assert page.round == data.ROUND
    assert page.holdings == tuple(expected_holdings(data.WHALE)[:1000])
    assert page.next_token == str(page.holdings[-1].asset_id)


async def test_whale_usdc_holding_has_the_reference_values(client: AlgodClient) -> None:
    holding = await holding_of(client, data.WHALE, data.USDC_ID)
    assert holding == AssetHolding(data.USDC_ID, 1234567890, False, USDC_PARAMS)


async def test_max_supply_holding_keeps_uint64_amount_and_total_exact(
    client: AlgodClient,
) -> None:
    holding = await holding_of(client, data.WHALE, data.MAX_ID)
    assert holding.params is not None
    assert type(holding.amount) is int
    assert holding.amount == 18446744073709551615
    assert holding.params.total == 18446744073709551615
    assert holding.params.decimals == 19


async def test_frozen_holding_is_frozen(client: AlgodClient) -> None:
    holding = await holding_of(client, data.WHALE, data.FROZEN_ID)
    assert holding.is_frozen is True


async def test_destroyed_asset_holding_has_no_params(client: AlgodClient) -> None:
    holding = await holding_of(client, data.WHALE, data.DESTROYED_ID)
    assert holding.params is None
    assert holding.amount == 0


async def test_unprintable_name_comes_back_only_as_its_bytes(client: AlgodClient) -> None:
    asset_id = next(i for i, p in data.assets().items() if p.name is None)
    holding = await holding_of(client, data.WHALE, asset_id)
    assert holding.params is not None
    assert holding.params.name is None
    assert holding.params.name_raw == data.assets()[asset_id].name_raw


async def test_small_account_holds_three_assets_with_usdc_params_shared_with_whale(
    client: AlgodClient,
) -> None:
    page = await client.account_assets(data.SMALL)
    assert len(page.holdings) == 3
    assert page.next_token is None
    usdc = next(h for h in page.holdings if h.asset_id == data.USDC_ID)
    assert usdc.params == USDC_PARAMS
    assert page.holdings == tuple(expected_holdings(data.SMALL))


@pytest.mark.parametrize("address", [data.EMPTY, UNKNOWN])
async def test_account_without_holdings_is_an_empty_last_page(
    client: AlgodClient, address: str
) -> None:
    page = await client.account_assets(address)
    assert page.holdings == ()
    assert page.next_token is None
    assert page.round == data.ROUND


async def test_last_whale_page_has_no_next_token(client: AlgodClient) -> None:
    ids = [h.asset_id for h in data.account_holdings(data.WHALE)]
    page = await client.account_assets(data.WHALE, limit=5, next_token=str(ids[-4]))
    assert [h.asset_id for h in page.holdings] == ids[-3:]
    assert page.next_token is None


@pytest.mark.parametrize("limit", [1000, 333, 64])
async def test_walking_the_whale_yields_its_2500_holdings_once_ascending(
    client: AlgodClient, limit: int
) -> None:
    seen = await walk(client, data.WHALE, limit)
    ids = [h.asset_id for h in seen]
    assert len(ids) == 2500
    assert ids == sorted(set(ids))
    assert seen == expected_holdings(data.WHALE)


@settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=30
)
@given(
    address=st.sampled_from([*data.BENCH_ADDRESSES, data.SMALL, data.EMPTY]),
    limit=st.integers(min_value=1, max_value=45),
)
async def test_any_page_size_walks_any_account_exactly_once(
    client: AlgodClient, address: str, limit: int
) -> None:
    assert await walk(client, address, limit) == expected_holdings(address)


async def test_account_reports_the_whales_algo_balance_and_count(client: AlgodClient) -> None:
    account = await client.account(data.WHALE)
    assert account.address == data.WHALE
    assert account.amount == 5_000_000_000_000
    assert account.total_assets_opted_in == 2500
    assert account.round == data.ROUND


async def test_account_unknown_to_algod_has_zero_balance(client: AlgodClient) -> None:
    account = await client.account(UNKNOWN)
    assert (account.amount, account.total_assets_opted_in) == (0, 0)


async def test_asset_returns_usdc_params(client: AlgodClient) -> None:
    assert await client.asset(data.USDC_ID) == AssetInfo(data.USDC_ID, USDC_PARAMS)


async def test_asset_matches_the_catalogue_for_a_generated_asset(client: AlgodClient) -> None:
    asset_id = sorted(data.assets())[1234]
    params = expected_params(asset_id)
    assert params is not None
    assert await client.asset(asset_id) == AssetInfo(asset_id, params)


@pytest.mark.parametrize("asset_id", [data.DESTROYED_ID, 5, 2**64 - 1])
async def test_asset_algod_does_not_know_is_none(client: AlgodClient, asset_id: int) -> None:
    assert await client.asset(asset_id) is None


async def test_a_400_from_algod_is_a_bad_response(client: AlgodClient) -> None:
    bad_checksum = data.WHALE[:-1] + "A"
    with pytest.raises(UpstreamBadResponse) as caught:
        await client.account_assets(bad_checksum)
    assert caught.value.status == 400


async def test_wrong_token_is_unauthorized(
    sandbox: RunningSandbox, make_client: MakeClient
) -> None:
    client = await make_client(sandbox.url, "b" * 64)
    with pytest.raises(UpstreamUnauthorized) as caught:
        await client.account_assets(data.SMALL)
    assert caught.value.status == 401


async def test_missing_token_is_unauthorized(
    sandbox: RunningSandbox, make_client: MakeClient
) -> None:
    client = await make_client(sandbox.url, "")
    with pytest.raises(UpstreamUnauthorized):
        await client.account(data.SMALL)


async def test_no_error_or_repr_shows_the_token(
    sandbox: RunningSandbox, make_client: MakeClient
) -> None:
    secret = "s3cr3t-" + "x" * 57
    client = await make_client(sandbox.url, secret)
    errors: list[UpstreamError] = []
    for call in (
        client.account_assets(data.WHALE),
        client.account(data.WHALE),
        client.asset(data.USDC_ID),
    ):
        with pytest.raises(UpstreamError) as caught:
            await call
        errors.append(caught.value)
    for error in errors:
        assert secret not in str(error)
        assert secret not in repr(error)
        assert all(secret not in str(arg) for arg in error.args)
    assert secret not in repr(client)


async def test_node_without_the_holdings_route_is_unavailable_not_empty(
    start_node: Callable[..., Awaitable[RunningSandbox]], make_client: MakeClient
) -> None:
    old = await start_node(experimental_api=False)
    client = await make_client(old.url)
    with pytest.raises(UpstreamUnavailable) as caught:
        await client.account_assets(data.WHALE)
    message = str(caught.value)
    assert "/v2/accounts/{address}/assets" in message
    assert "v4.6.0" in message
    assert "experimental API" in message
    assert caught.value.status == 404


async def test_node_without_any_such_route_is_unavailable_not_empty(
    node: RawNode, client: AlgodClient
) -> None:
    # The same on an older node that never heard of the route: echo's 404 "Not Found".
    await node.faults(status=404, path="/assets")
    with pytest.raises(UpstreamUnavailable, match=r"older than v4\.6\.0"):
        await client.account_assets(data.WHALE)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, UpstreamUnavailable),
        (503, UpstreamUnavailable),
        (401, UpstreamUnauthorized),
        (403, UpstreamQuotaExceeded),
        (429, UpstreamRateLimited),
        (400, UpstreamBadResponse),
    ],
)
async def test_injected_status_maps_to_its_error_class(
    node: RawNode, client: AlgodClient, status: int, error: type[UpstreamError]
) -> None:
    await node.faults(status=status)
    with pytest.raises(error) as caught:
        await client.account_assets(data.SMALL)
    assert caught.value.status == status


async def test_rate_limit_carries_retry_after(node: RawNode, client: AlgodClient) -> None:
    await node.faults(status=429, retry_after=7)
    with pytest.raises(UpstreamRateLimited) as caught:
        await client.account(data.SMALL)
    assert caught.value.retry_after_seconds == 7


async def test_a_429_without_retry_after_asks_for_the_rate_window(
    node: RawNode, client: AlgodClient
) -> None:
    # Nodely sends no Retry-After with its 429s; its limits count per second.
    await node.faults(status=429)
    with pytest.raises(UpstreamRateLimited) as caught:
        await client.account(data.SMALL)
    assert caught.value.retry_after_seconds == 1


async def test_a_spent_provider_quota_is_quota_exceeded_on_every_route(
    node: RawNode, client: AlgodClient
) -> None:
    # The sandbox plays Nodely's 403 once the day's quota is spent (here: from the start).
    await node.settings(daily_quota=0)
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: client.account_assets(data.SMALL),
        lambda: client.account(data.SMALL),
        lambda: client.asset(data.USDC_ID),
    ]
    for call in calls:
        with pytest.raises(UpstreamQuotaExceeded, match="quota is spent") as caught:
            await call()
        assert (caught.value.status, caught.value.code) == (403, "UPSTREAM_QUOTA_EXCEEDED")
    routes = (await node.stats())["routes"]
    assert {route: dict(outcomes) for route, outcomes in routes.items()} == {
        "GET /v2/accounts/{address}/assets": {"403": 1},
        "GET /v2/accounts/{address}": {"403": 1},
        "GET /v2/assets/{asset_id}": {"403": 1},
    }


async def test_status_fault_on_asset_is_not_mistaken_for_a_missing_asset(
    node: RawNode, client: AlgodClient
) -> None:
    await node.faults(status=500)
    with pytest.raises(UpstreamUnavailable):
        await client.asset(data.USDC_ID)


@pytest.mark.parametrize("endpoint", ["account_assets", "account", "asset"])
async def test_malformed_body_is_a_bad_response(
    node: RawNode, client: AlgodClient, endpoint: str
) -> None:
    await node.faults(malformed=True)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "account_assets": lambda: client.account_assets(data.WHALE),
        "account": lambda: client.account(data.WHALE),
        "asset": lambda: client.asset(data.USDC_ID),
    }
    with pytest.raises(UpstreamBadResponse):
        await calls[endpoint]()


async def test_dropped_connection_is_unavailable(node: RawNode, client: AlgodClient) -> None:
    await node.faults(drop=True)
    with pytest.raises(UpstreamUnavailable):
        await client.account_assets(data.SMALL)


async def test_slow_body_past_the_timeout_is_a_timeout(
    node: RawNode, sandbox: RunningSandbox, make_client: MakeClient
) -> None:
    await node.faults(slow_body_ms=800)
    client = await make_client(sandbox.url, timeouts=Timeouts(connect=1.0, total=0.2))
    with pytest.raises(UpstreamTimeout):
        await client.account_assets(data.SMALL)


async def test_latency_within_the_timeout_still_answers(node: RawNode, client: AlgodClient) -> None:
    await node.faults(latency_ms=30)
    page = await client.account_assets(data.SMALL)
    assert len(page.holdings) == 3
