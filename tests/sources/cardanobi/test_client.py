"""The client reads CardanoBI's answers into exact records: reference values, the OData options
it sends and what comes back when they are honoured or not, 404 as an empty page, `[]` as an
unknown asset."""

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
ASSETS = "GET /api/core/accounts/{stake_address}/assets"


def record(token: data.TokenData) -> AccountAsset:
    return AccountAsset(token.policy_hex, token.fingerprint, token.name, token.quantity)


async def test_the_collector_comes_back_as_its_first_100_tokens_whatever_is_asked(
    client: CardanoBIClient,
) -> None:
    # The sandbox's default, as the real route: no paging, the first 100 by fingerprint.
    first = await client.account_assets(data.COLLECTOR, top=20)
    later = await client.account_assets(data.COLLECTOR, skip=100, top=20)
    expected = AccountAssetsPage(tuple(record(t) for t in COLLECTOR_TOKENS[:100]), 0, 20)
    assert replace(first, fetched_at=None) == expected
    assert replace(later, fetched_at=None) == replace(expected, skip=100)
    assert first.served == 100 > first.top  # how a caller tells the options were ignored


async def test_with_odata_the_options_page_the_collector(
    client: CardanoBIClient, control: Control
) -> None:
    await control.settings(odata=True)
    page = await client.account_assets(data.COLLECTOR, skip=7, top=7)
    assert page.assets == tuple(record(t) for t in COLLECTOR_TOKENS[7:14])
    assert page.served == 7


async def test_the_client_sends_orderby_skip_and_top(
    client: CardanoBIClient, control: Control
) -> None:
    await control.settings(odata=True)
    # Only `$orderby=fingerprint` makes the sandbox's order the client's: it is a sent option.
    page = await client.account_assets(data.COLLECTOR, skip=240, top=99)
    assert page.assets == tuple(record(t) for t in COLLECTOR_TOKENS[240:])
    assert await control.count(ASSETS) == 1


async def test_big_and_ulong_quantities_arrive_as_exact_ints(
    client: CardanoBIClient, control: Control
) -> None:
    await control.settings(odata=True)
    tokens = await walk(client, data.COLLECTOR, top=99)
    big = [t for t in tokens if t.quantity == data.BIG_QUANTITY]
    assert len(big) == 1 and type(big[0].quantity) is int and big[0].name == "WHALE"
    odd = (await client.account_assets(data.ODDITIES)).assets
    (ulong,) = [t for t in odd if t.quantity > 2**63 - 1]
    assert ulong.quantity == data.ULONG_MAX == 18446744073709551615


async def test_lossy_and_empty_names_come_through_as_served(
    client: CardanoBIClient, control: Control
) -> None:
    await control.settings(odata=True)
    tokens = {t.fingerprint: t for t in await walk(client, data.COLLECTOR, top=99)}
    for token in COLLECTOR_TOKENS:
        assert tokens[token.fingerprint].name == token.name
    assert sum(t.name == "" for t in tokens.values()) == 1


async def test_small_account_holds_its_five_tokens(client: CardanoBIClient) -> None:
    page = await client.account_assets(data.SMALL, top=20)
    assert page.assets == tuple(record(t) for t in data.tokens()[data.SMALL])


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(top=st.integers(min_value=1, max_value=100))
@example(top=1)
@example(top=100)
@example(top=99)
async def test_walking_the_collector_with_odata_yields_every_token_once(
    client: CardanoBIClient, control: Control, top: int
) -> None:
    await control.settings(odata=True)
    tokens = await walk(client, data.COLLECTOR, top=top)
    assert [t.fingerprint for t in tokens] == [t.fingerprint for t in COLLECTOR_TOKENS]


async def test_a_skip_past_the_end_is_an_empty_answer(
    client: CardanoBIClient, control: Control
) -> None:
    await control.settings(odata=True)
    page = await client.account_assets(data.COLLECTOR, skip=300, top=99)
    assert replace(page, fetched_at=None) == AccountAssetsPage((), 300, 99)


@pytest.mark.parametrize("address", [data.EMPTY, UNKNOWN, "stake1notevenbech32"])
async def test_404_for_the_tokens_of_an_account_is_an_empty_page(
    client: CardanoBIClient, address: str
) -> None:
    page = await client.account_assets(address, top=20)
    assert page.assets == () and page.served == 0


@pytest.mark.parametrize(("skip", "top"), [(-1, 20), (0, 0), (0, 101)])
async def test_out_of_range_options_are_refused_before_any_request(
    client: CardanoBIClient, control: Control, skip: int, top: int
) -> None:
    with pytest.raises(ValueError):
        await client.account_assets(data.COLLECTOR, skip=skip, top=top)
    assert (await control.stats())["total"] == 0


async def test_account_of_the_collector_has_its_exact_ada_balance(client: CardanoBIClient) -> None:
    info = await client.account(data.COLLECTOR)
    assert info is not None
    assert replace(info, fetched_at=None) == AccountInfo(data.COLLECTOR, 1_234_567_890)


async def test_empty_account_has_ada(client: CardanoBIClient) -> None:
    info = await client.account(data.EMPTY)
    assert info is not None and replace(info, fetched_at=None) == AccountInfo(data.EMPTY, 5_000_000)


async def test_an_account_without_a_balance_is_read_with_none(client: CardanoBIClient) -> None:
    info = await client.account(data.ODDITIES)
    assert info is not None and replace(info, fetched_at=None) == AccountInfo(data.ODDITIES, None)


async def test_unknown_account_is_none(client: CardanoBIClient) -> None:
    assert await client.account(UNKNOWN) is None


async def test_asset_details_of_a_held_token(client: CardanoBIClient) -> None:
    big = next(t for t in COLLECTOR_TOKENS if t.quantity == data.BIG_QUANTITY)
    details = await client.asset(big.fingerprint)
    assert details == AssetDetails(
        fingerprint=big.fingerprint, policy_hex=big.policy_hex, name="WHALE"
    )


async def test_unknown_asset_is_none(client: CardanoBIClient, control: Control) -> None:
    assert await client.asset("asset1rjklcrnsdzqp65wjgrg55sy9723kw09mlgvlc3") is None
    assert await control.routes("GET /api/core/assets/{fingerprint}") == {"200": 1}  # `[]`


async def test_a_path_separator_in_an_address_stays_inside_one_segment(
    client: CardanoBIClient, control: Control
) -> None:
    assert await client.account(f"{data.COLLECTOR}/assets") is None
    routes = (await control.stats())["routes"]
    assert routes["GET /api/core/accounts/{stake_address}"] == {"404": 1}
