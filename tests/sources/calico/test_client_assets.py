"""`CalicoClient.assets` over the sandbox: exact reference values, pagination, filters."""

from datetime import UTC

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.calico.client import CalicoClient
from sources.calico.records import AssetPosition, ProviderFailure
from sources.calico.sandbox import CalicoSandbox
from sources.calico.sandbox_data import assets_of
from sources.http import HttpUpstream
from sources.source import Source

from .support import ALICE, BOB, expected_position, served, stats

BINANCE_DOWN = (ProviderFailure("binance", "unauthorized"),)
FIXTURES = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=25
)


async def walk(
    client: CalicoClient, token: str, *, limit: int, **filters: list[str]
) -> list[AssetPosition]:
    positions: list[AssetPosition] = []
    cursor = None
    while True:
        page = await client.assets(token, limit=limit, cursor=cursor, **filters)
        positions.extend(page.assets)
        if page.next_cursor is None:
            return positions
        cursor = page.next_cursor


async def test_alice_first_page_holds_30_positions_and_a_cursor(client: CalicoClient) -> None:
    page = await client.assets(ALICE)
    assert list(page.assets) == [expected_position(p) for p in assets_of("alice")[:30]]
    assert page.next_cursor is not None


async def test_alice_positions_arrive_with_exact_reference_values(client: CalicoClient) -> None:
    page = await client.assets(ALICE, limit=100)
    assert list(page.assets) == [expected_position(p) for p in assets_of("alice")]
    assert page.next_cursor is None


async def test_bob_has_two_kraken_positions_and_no_errors(client: CalicoClient) -> None:
    page = await client.assets(BOB)
    assert [(a.provider_id, a.asset_symbol, str(a.asset_holdings)) for a in page.assets] == [
        ("kraken", "BTC", "0.05"),
        ("kraken", "ETH", "1.5"),
    ]
    assert [str(a.price_in_usd) for a in page.assets] == ["64123.45", "3456.78"]
    assert page.errors == ()
    assert page.next_cursor is None


async def test_staked_btc_and_eth_on_coinbase_are_exact(client: CalicoClient) -> None:
    page = await client.assets(ALICE, symbols=["BTC", "ETH"], provider_ids=["coinbase"])
    assert [
        (a.asset_symbol, str(a.asset_holdings), str(a.staked_holdings), str(a.price_in_usd))
        for a in page.assets
    ] == [
        ("BTC", "1.23456789", "0.5", "64123.45"),
        ("ETH", "40.25", "32", "3456.789012345678901"),
    ]


async def test_a_json_number_with_20_digits_stays_exact(client: CalicoClient) -> None:
    # Written as a JSON number (metamask ETH is not a string in the data).
    [eth] = (await client.assets(ALICE, symbols=["ETH"], provider_ids=["metamask"])).assets
    assert not next(
        p for p in assets_of("alice") if p.order_key == ("metamask", "ETH", "eth")
    ).numbers_as_strings
    assert str(eth.asset_holdings) == "12.345678901234567891"
    assert str(eth.price_in_usd) == "3456.789012345678901"


async def test_string_and_number_forms_both_parse_to_the_written_decimals(
    client: CalicoClient,
) -> None:
    page = await client.assets(ALICE, limit=100)
    data = assets_of("alice")
    for form in (True, False):
        pairs = [
            (a, p) for a, p in zip(page.assets, data, strict=True) if p.numbers_as_strings is form
        ]
        assert pairs, f"the reference data has no position written with strings={form}"
        for asset, position in pairs:
            assert str(asset.asset_holdings) == str(position.asset_holdings)
            assert str(asset.price_in_usd) == str(position.price_in_usd)


async def test_wallet_positions_carry_chain_and_redacted_address(client: CalicoClient) -> None:
    page = await client.assets(ALICE, provider_ids=["metamask"], limit=100)
    assert len(page.assets) == 15
    assert {(a.chain, a.wallet_address_redacted) for a in page.assets} == {("eth", "0x71C7…976F")}


async def test_time_fetched_is_aware_utc_to_the_millisecond(client: CalicoClient) -> None:
    page = await client.assets(BOB)
    assert [a.time_fetched for a in page.assets] == [p.time_fetched for p in assets_of("bob")]
    assert all(a.time_fetched is not None and a.time_fetched.tzinfo is UTC for a in page.assets)


async def test_every_page_of_alice_reports_binance_failing(client: CalicoClient) -> None:
    cursor = None
    pages = 0
    while True:
        page = await client.assets(ALICE, cursor=cursor)
        pages += 1
        assert page.errors == BINANCE_DOWN
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3


async def test_a_provider_filter_without_binance_has_no_errors(client: CalicoClient) -> None:
    page = await client.assets(ALICE, provider_ids=["kraken"], limit=100)
    assert page.errors == ()
    assert len(page.assets) == 30


async def test_asking_for_binance_alone_gives_only_its_error(client: CalicoClient) -> None:
    page = await client.assets(ALICE, provider_ids=["binance"])
    assert (page.assets, page.errors) == ((), BINANCE_DOWN)


async def test_a_lower_case_symbol_finds_the_positions(client: CalicoClient) -> None:
    page = await client.assets(ALICE, symbols=["eth"])
    assert [(a.provider_id, a.asset_symbol) for a in page.assets] == [
        ("coinbase", "ETH"),
        ("metamask", "ETH"),
    ]


@FIXTURES
@given(limit=st.integers(min_value=1, max_value=100))
async def test_walking_alice_with_any_limit_yields_every_position_once(
    client: CalicoClient, limit: int
) -> None:
    positions = await walk(client, ALICE, limit=limit)
    assert positions == [expected_position(p) for p in assets_of("alice")]


ALICE_SYMBOLS = sorted({p.asset_symbol for p in assets_of("alice")})


@FIXTURES
@given(
    symbols=st.lists(st.sampled_from(ALICE_SYMBOLS), max_size=6),
    providers=st.lists(st.sampled_from(["coinbase", "kraken", "metamask", "binance"]), max_size=3),
    limit=st.integers(min_value=1, max_value=100),
)
async def test_filters_select_exactly_the_matching_positions(
    client: CalicoClient, symbols: list[str], providers: list[str], limit: int
) -> None:
    positions = await walk(client, ALICE, limit=limit, symbols=symbols, provider_ids=providers)
    assert positions == [
        expected_position(p)
        for p in assets_of("alice")
        if (not symbols or p.asset_symbol in symbols)
        and (not providers or p.provider_id in providers)
    ]


async def test_an_absolute_next_uri_on_another_host_is_never_requested() -> None:
    async with (
        served(CalicoSandbox()) as (foreign, foreign_http),
        served(CalicoSandbox(next_uri_base=foreign.url)) as (_, calico_http),
    ):
        client = CalicoClient(calico_http)
        first = await calico_http.request(
            "GET",
            "/accounts/v2/assets",
            headers={"Authorization": f"Bearer {ALICE}"},
            accept=(206,),
        )
        assert f'"next_uri":"{foreign.url}/accounts/v2/assets?' in first.body.decode()
        positions = await walk(client, ALICE, limit=30)
        assert len(positions) == 75
        assert (await stats(foreign_http))["total"] == 0
        assert (await stats(calico_http))["total"] == 4


async def test_the_client_refuses_an_upstream_of_another_source() -> None:
    with pytest.raises(ValueError, match="Calico HttpUpstream"):
        CalicoClient(HttpUpstream(Source.MESH, "http://127.0.0.1:9"))
