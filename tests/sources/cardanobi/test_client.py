"""The client reads CardanoBI's answers into exact records: reference values, paging end to end,
404 as an empty page or `None`, and the parameters it sends."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from sources.cardanobi.records import AccountAsset, AccountAssetsPage, AccountInfo, AssetDetails

from .support import Control, walk

COLLECTOR_TOKENS = data.tokens()[data.COLLECTOR]
UNKNOWN = stake_address(bytes(28), CARDANO_NETWORKS["mainnet"])


def record(token: data.TokenData) -> AccountAsset:
    return AccountAsset(token.policy_hex, token.fingerprint, token.name, token.quantity)


async def test_first_page_of_the_collector_is_the_first_100_tokens_exactly(
    client: CardanoBIClient,
) -> None:
    page = await client.account_assets(data.COLLECTOR, page_no=1, page_size=100)
    assert replace(page, fetched_at=None) == AccountAssetsPage(
        tuple(record(t) for t in COLLECTOR_TOKENS[:100]), page_no=1, page_size=100
    )


async def test_big_quantity_arrives_as_the_exact_int(client: CardanoBIClient) -> None:
    tokens = await walk(client, data.COLLECTOR, page_size=100)
    big = [t for t in tokens if t.quantity == data.BIG_QUANTITY]
    assert len(big) == 1
    assert type(big[0].quantity) is int
    assert str(big[0].quantity) == "45000000000000000"
    assert big[0].name == "WHALE"


async def test_lossy_and_empty_names_come_through_as_served(client: CardanoBIClient) -> None:
    tokens = {t.fingerprint: t for t in await walk(client, data.COLLECTOR, page_size=100)}
    for token in COLLECTOR_TOKENS:
        assert tokens[token.fingerprint].name == token.name
    assert sum(t.name == "" for t in tokens.values()) == 1


async def test_small_account_holds_its_five_tokens(client: CardanoBIClient) -> None:
    page = await client.account_assets(data.SMALL, page_no=1, page_size=20)
    assert page.assets == tuple(record(t) for t in data.tokens()[data.SMALL])


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(page_size=st.integers(min_value=1, max_value=100), order=st.sampled_from(["asc", "desc"]))
@example(page_size=1, order="asc")
@example(page_size=100, order="desc")
@example(page_size=50, order="asc")
async def test_walking_the_collector_with_any_page_size_yields_every_token_once(
    client: CardanoBIClient, page_size: int, order: str
) -> None:
    tokens = await walk(client, data.COLLECTOR, page_size=page_size, order=order)
    expected = [t.fingerprint for t in COLLECTOR_TOKENS]
    assert [t.fingerprint for t in tokens] == (expected if order == "asc" else expected[::-1])


async def test_a_page_past_the_end_is_empty(client: CardanoBIClient) -> None:
    page = await client.account_assets(data.COLLECTOR, page_no=4, page_size=100)
    assert replace(page, fetched_at=None) == AccountAssetsPage((), page_no=4, page_size=100)


@pytest.mark.parametrize("address", [data.EMPTY, UNKNOWN])
async def test_404_for_the_tokens_of_an_account_is_an_empty_page(
    client: CardanoBIClient, address: str
) -> None:
    page = await client.account_assets(address, page_no=1, page_size=20)
    assert page.assets == ()


async def test_client_sends_page_no_page_size_and_order(
    client: CardanoBIClient, control: Control
) -> None:
    # The sandbox's own default order is desc: asc only comes back if the client sent it.
    page = await client.account_assets(data.COLLECTOR, page_no=2, page_size=7, order="asc")
    assert page.assets == tuple(record(t) for t in COLLECTOR_TOKENS[7:14])
    desc = await client.account_assets(data.COLLECTOR, page_no=1, page_size=3, order="desc")
    assert desc.assets == tuple(record(t) for t in COLLECTOR_TOKENS[::-1][:3])


@pytest.mark.parametrize(
    ("page_no", "page_size", "order"),
    [(0, 20, "asc"), (1, 0, "asc"), (1, 101, "asc"), (1, 20, "up")],
)
async def test_out_of_range_paging_is_refused_before_any_request(
    client: CardanoBIClient, control: Control, page_no: int, page_size: int, order: str
) -> None:
    with pytest.raises(ValueError):
        await client.account_assets(
            data.COLLECTOR, page_no=page_no, page_size=page_size, order=order
        )
    assert (await control.stats())["total"] == 0


async def test_account_of_the_collector_has_its_exact_ada_balance(client: CardanoBIClient) -> None:
    info = await client.account(data.COLLECTOR)
    expected = data.accounts()[data.COLLECTOR]
    assert info is not None
    assert replace(info, fetched_at=None) == AccountInfo(
        stake_address=data.COLLECTOR,
        total_balance=1_234_567_890,
        is_registered=True,
        pool_id=expected.pool_id,
    )


async def test_empty_account_has_ada_but_no_registration_or_pool(client: CardanoBIClient) -> None:
    info = await client.account(data.EMPTY)
    assert info is not None
    assert replace(info, fetched_at=None) == AccountInfo(
        data.EMPTY, 5_000_000, is_registered=False, pool_id=None
    )


async def test_unknown_account_is_none(client: CardanoBIClient) -> None:
    assert await client.account(UNKNOWN) is None


async def test_asset_details_of_a_held_token(client: CardanoBIClient) -> None:
    big = next(t for t in COLLECTOR_TOKENS if t.quantity == data.BIG_QUANTITY)
    details = await client.asset(big.fingerprint)
    assert details == AssetDetails(
        fingerprint=big.fingerprint,
        policy_hex=big.policy_hex,
        name="WHALE",
        total_supply=data.assets()[big.fingerprint].total_supply,
    )
    assert details is not None and details.total_supply >= data.BIG_QUANTITY


async def test_unknown_asset_is_none(client: CardanoBIClient) -> None:
    assert await client.asset("asset1rjklcrnsdzqp65wjgrg55sy9723kw09mlgvlc3") is None


async def test_a_path_separator_in_an_address_stays_inside_one_segment(
    client: CardanoBIClient, control: Control
) -> None:
    assert await client.account(f"{data.COLLECTOR}/assets") is None
    routes = (await control.stats())["routes"]
    assert routes["GET /api/core/accounts/{stake_address}"] == {"404": 1}
