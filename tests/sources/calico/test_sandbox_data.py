"""The reference data has exactly the properties SANDBOX.md promises, the same on every run."""

from collections import Counter
from datetime import UTC

from sources.calico.sandbox import SANDBOX_TOKENS
from sources.calico.sandbox_data import (
    EXPIRED_USERS,
    FAILING_PROVIDERS,
    GENERATED_USERS,
    USERS,
    assets_of,
    failures_of,
)


def test_the_tokens_are_the_reference_users_and_the_generated_ones() -> None:
    assert SANDBOX_TOKENS["sandbox-calico-alice"] == "alice"
    assert SANDBOX_TOKENS["sandbox-calico-bob"] == "bob"
    assert SANDBOX_TOKENS["sandbox-calico-dave"] == "dave"
    everyone = set(USERS) | set(GENERATED_USERS) | EXPIRED_USERS
    assert set(SANDBOX_TOKENS.values()) == everyone
    assert len(SANDBOX_TOKENS) == len(everyone)


def test_each_generated_user_holds_a_symbol_no_one_else_holds() -> None:
    for index, user in enumerate(GENERATED_USERS, start=1):
        symbols = {p.asset_symbol for p in assets_of(user)}
        assert symbols == {"BTC", "ETH", f"U{index:02d}"}
        others = {"alice", "bob", *GENERATED_USERS} - {user}
        assert all(f"U{index:02d}" not in {p.asset_symbol for p in assets_of(o)} for o in others)


def test_alice_holds_75_positions_at_coinbase_kraken_and_metamask() -> None:
    counts = Counter(p.provider_id for p in assets_of("alice"))
    assert counts == {"coinbase": 30, "kraken": 30, "metamask": 15}


def test_alice_metamask_is_an_eth_wallet_with_a_redacted_address() -> None:
    wallet = [p for p in assets_of("alice") if p.provider_id == "metamask"]
    assert {(p.chain, p.wallet_address_redacted) for p in wallet} == {("eth", "0x71C7…976F")}
    exchanges = [p for p in assets_of("alice") if p.provider_id != "metamask"]
    assert {(p.chain, p.wallet_address_redacted) for p in exchanges} == {(None, None)}


def test_only_btc_and_eth_on_coinbase_are_staked() -> None:
    staked = {(p.provider_id, p.asset_symbol) for p in assets_of("alice") if p.staked_holdings}
    assert staked == {("coinbase", "BTC"), ("coinbase", "ETH")}


def test_alice_holds_algo_and_ada_and_eth_at_two_providers() -> None:
    where = {(p.asset_symbol, p.provider_id) for p in assets_of("alice")}
    assert ("ALGO", "coinbase") in where and ("ADA", "kraken") in where
    assert {provider for symbol, provider in where if symbol == "ETH"} == {"coinbase", "metamask"}


def test_every_position_is_priced_and_non_negative() -> None:
    for user in USERS:
        for p in assets_of(user):
            assert p.price_in_usd > 0 and p.asset_holdings > 0
            assert p.staked_holdings is None or 0 < p.staked_holdings <= p.asset_holdings


def test_positions_are_unique_and_in_served_order() -> None:
    keys = [p.order_key for p in assets_of("alice")]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_time_fetched_is_utc_to_the_millisecond() -> None:
    for p in assets_of("alice"):
        assert p.time_fetched.tzinfo is UTC and p.time_fetched.microsecond % 1000 == 0
        assert p.time_fetched_text.endswith("Z") and len(p.time_fetched_text) == 24


def test_both_number_forms_occur_for_each_user() -> None:
    for user in USERS:
        assert {p.numbers_as_strings for p in assets_of(user)} == {True, False}


def test_binance_fails_for_alice_only() -> None:
    assert FAILING_PROVIDERS == {"alice": {"binance": "unauthorized"}}
    assert failures_of("bob") == {}


def test_bob_holds_btc_and_eth_at_kraken() -> None:
    assert [(p.provider_id, p.asset_symbol) for p in assets_of("bob")] == [
        ("kraken", "BTC"),
        ("kraken", "ETH"),
    ]


def test_an_unknown_user_holds_nothing() -> None:
    assert assets_of("mallory") == []


def test_the_data_is_a_fresh_list_each_time() -> None:
    first = assets_of("alice")
    first.clear()
    assert len(assets_of("alice")) == 75
