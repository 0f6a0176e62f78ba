"""The client reads each sandbox user's portfolio into records, every number exact."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.mesh import EMPTY_PORTFOLIO, MeshClient, Portfolio
from sources.mesh import sandbox_data as data
from tests.sources.mesh.expected import from_json, from_record


def _untimed(portfolio: Portfolio) -> Portfolio:
    """The portfolio without the time Mesh answered, which differs between any two reads."""
    return dataclasses.replace(portfolio, fetched_at=None)


def _texts(*values: Decimal | None) -> list[str | None]:
    return [None if value is None else str(value) for value in values]


async def test_alice_equities_are_the_reference_docs_cex_example(client: MeshClient) -> None:
    alice = await client.portfolio(data.ALICE)
    tsla, aapl = alice.equity_positions
    assert (tsla.symbol, tsla.company_name, tsla.kind) == ("TSLA", "Tesla", "EQUITY")
    assert _texts(
        tsla.amount,
        tsla.cost_basis,
        tsla.market_value,
        tsla.last_price,
        tsla.portfolio_percentage,
        tsla.total_return,
        tsla.return_percentage,
        tsla.total_daily_return,
        tsla.daily_return_percentage,
    ) == ["0.063", "234.8", "13.69", "214.44", "0.44", "-1.3", "-8.67", "0.45", "3.45"]
    assert (aapl.symbol, aapl.company_name) == ("AAPL", "Apple")
    assert _texts(
        aapl.amount,
        aapl.cost_basis,
        aapl.market_value,
        aapl.last_price,
        aapl.portfolio_percentage,
        aapl.total_return,
        aapl.return_percentage,
        aapl.total_daily_return,
        aapl.daily_return_percentage,
    ) == ["8.15", "129.5", "1201.67", "147.27", "38.98", "144.97", "13.71", "31.65", "2.7"]


async def test_alice_cryptocurrencies_keep_every_digit_of_the_doc(client: MeshClient) -> None:
    alice = await client.portfolio(data.ALICE)
    eth, doge, _ = alice.cryptocurrency_positions
    assert (eth.symbol, eth.company_name, eth.kind) == ("ETH", "Ethereum", "CRYPTOCURRENCY")
    assert _texts(
        eth.amount,
        eth.cost_basis,
        eth.market_value,
        eth.last_price,
        eth.portfolio_percentage,
        eth.total_return,
        eth.return_percentage,
        eth.total_daily_return,
        eth.daily_return_percentage,
    ) == [
        "0.260325",
        "3626.66",
        "351.457",
        "1350.07",
        "11.4018",
        "-592.6533",
        "-62.7737",
        "-3.6081",
        "-1.0162",
    ]
    assert (doge.symbol, doge.company_name) == ("DOGE", "Dogecoin")
    assert _texts(
        doge.amount,
        doge.cost_basis,
        doge.market_value,
        doge.last_price,
        doge.portfolio_percentage,
        doge.total_return,
        doge.return_percentage,
        doge.total_daily_return,
        doge.daily_return_percentage,
    ) == ["4025.02", "0.081", "240.5754", "0.05977", "7.8", "-85.45", "-26.2", "-2.45", "-1.0103"]


async def test_alice_cex_positions_have_no_distribution(client: MeshClient) -> None:
    alice = await client.portfolio(data.ALICE)
    cex = [*alice.equity_positions, *alice.cryptocurrency_positions[:2]]
    assert [position.distribution for position in cex] == [(), (), (), ()]


async def test_alice_self_custody_eth_is_spread_over_two_networks(client: MeshClient) -> None:
    alice = await client.portfolio(data.ALICE)
    wallet_eth = alice.cryptocurrency_positions[2]
    assert (wallet_eth.symbol, str(wallet_eth.amount)) == ("ETH", "0.260325")
    assert [(d.caip_network_id, d.address, str(d.amount)) for d in wallet_eth.distribution] == [
        ("eip155:1", "0x1111111111111111111111111111111111111111", "0.16"),
        ("eip155:42161", "0x1111111111111111111111111111111111111111", "0.100325"),
    ]
    assert sum(d.amount for d in wallet_eth.distribution) == wallet_eth.amount


async def test_alice_positions_sum_to_the_aggregates_mesh_sent(client: MeshClient) -> None:
    # The aggregates themselves are not read (the graph does not serve them).
    alice = await client.portfolio(data.ALICE)
    sent = data.portfolio_of(data.ALICE)
    assert sent is not None
    crypto_sum = sum(p.market_value or 0 for p in alice.cryptocurrency_positions)
    nft_sum = sum(n.market_value or 0 for n in alice.nft_positions)
    assert (crypto_sum, nft_sum) == (sent["cryptocurrenciesValue"], sent["nftsValue"])


async def test_carol_keeps_her_short_position_and_her_losses(client: MeshClient) -> None:
    carol = await client.portfolio(data.CAROL)
    gme, ford = carol.equity_positions
    (sol,) = carol.cryptocurrency_positions
    assert _texts(gme.amount, gme.market_value, gme.portfolio_percentage, gme.total_return) == [
        "-10",
        "-231.5",
        "-76.71",
        "9.5",
    ]
    assert _texts(ford.total_return, ford.return_percentage) == ["-97.2", "-18.41"]
    assert _texts(sol.total_return, sol.return_percentage) == ["-32.4975", "-24.07"]
    assert carol.rejected == ()


async def test_carol_without_equities_and_nfts_values_is_read(client: MeshClient) -> None:
    sent = data.portfolio_of(data.CAROL)
    assert sent is not None and "equitiesValue" not in sent and "nftsValue" not in sent
    carol = await client.portfolio(data.CAROL)
    assert from_record(carol) == from_json(sent)


async def test_alice_holds_an_erc721_and_an_erc1155_on_ethereum(client: MeshClient) -> None:
    alice = await client.portfolio(data.ALICE)
    punk, badges = alice.nft_positions
    assert (punk.name, punk.token_id, punk.contract_type, punk.contract_symbol) == (
        "Sandbox Punks #7",
        "7",
        "ERC721",
        "SPUNK",
    )
    assert _texts(punk.amount, punk.cost_basis, punk.market_value) == ["1", "1250.5", "1420.75"]
    assert (badges.name, badges.token_id, badges.contract_type) == (
        "Sandbox Badges #3",
        "3",
        "ERC1155",
    )
    assert _texts(badges.amount, badges.cost_basis, badges.market_value) == ["3", "15", "96.3"]
    assert {punk.blockchain, badges.blockchain} == {"ethereum"}
    assert all(
        n.contract_address is not None
        and n.contract_address.startswith("0x")
        and len(n.contract_address) == 42
        for n in alice.nft_positions
    )


async def test_alice_matches_the_sandbox_data_field_for_field(client: MeshClient) -> None:
    alice = await client.portfolio(data.ALICE)
    assert from_record(alice) == from_json(data.portfolio_of(data.ALICE))


async def test_bob_holds_one_msft_equity(client: MeshClient) -> None:
    bob = await client.portfolio(data.BOB)
    (msft,) = bob.equity_positions
    assert (msft.symbol, msft.name, msft.company_name) == ("MSFT", "Microsoft Corp.", "Microsoft")
    assert _texts(msft.amount, msft.last_price, msft.market_value, msft.cost_basis) == [
        "12.5",
        "415.32",
        "5191.5",
        "380.1",
    ]
    assert (bob.cryptocurrency_positions, bob.nft_positions) == ((), ())


async def test_whale_holds_every_generated_position(client: MeshClient) -> None:
    whale = await client.portfolio(data.WHALE)
    assert (
        len(whale.equity_positions),
        len(whale.cryptocurrency_positions),
        len(whale.nft_positions),
    ) == (data.WHALE_EQUITIES, data.WHALE_CRYPTOCURRENCIES, data.WHALE_NFTS)
    assert from_record(whale) == from_json(data.portfolio_of(data.WHALE))


async def test_unknown_user_has_an_empty_portfolio(client: MeshClient) -> None:
    assert _untimed(await client.portfolio("nobody-we-know")) == EMPTY_PORTFOLIO


async def test_ok_with_null_content_is_an_empty_portfolio(client: MeshClient) -> None:
    assert _untimed(await client.portfolio(data.NO_CONTENT_USER)) == EMPTY_PORTFOLIO


async def test_null_position_lists_become_empty_tuples(client: MeshClient) -> None:
    portfolio = await client.portfolio(data.NULL_LISTS_USER)
    assert (
        portfolio.equity_positions,
        portfolio.cryptocurrency_positions,
        portfolio.nft_positions,
    ) == ((), (), ())


async def test_a_timezone_offset_in_seconds_is_accepted(client: MeshClient) -> None:
    west = await client.portfolio(data.ALICE, timezone_offset=-5 * 3600)
    here = await client.portfolio(data.ALICE)
    assert _untimed(west) == _untimed(here)


def _no_floats(value: object) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, tuple):
        return all(_no_floats(item) for item in value)
    if dataclasses.is_dataclass(value):
        return all(_no_floats(getattr(value, f.name)) for f in dataclasses.fields(value))
    return True


async def test_records_hold_no_float_anywhere(client: MeshClient) -> None:
    whale = await client.portfolio(data.WHALE)
    alice = await client.portfolio(data.ALICE)
    assert _no_floats(whale)
    assert _no_floats(alice)


async def test_records_are_frozen(client: MeshClient) -> None:
    bob = await client.portfolio(data.BOB)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bob.equity_positions = ()  # type: ignore[misc]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(index=st.integers(min_value=1, max_value=data.GENERATED_USER_COUNT))
async def test_any_generated_user_is_read_exactly(client: MeshClient, index: int) -> None:
    user = data.generated_user(index)
    portfolio: Portfolio = await client.portfolio(user)
    assert from_record(portfolio) == from_json(data.portfolio_of(user))
