"""The sandbox's data set has exactly the reference properties of SANDBOX.md, and is the same
on every machine and run."""

import hashlib
import json
from dataclasses import asdict

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.identifiers import CARDANO_NETWORKS, check_stake_address, fingerprint

MAINNET = CARDANO_NETWORKS["mainnet"]
COLLECTOR_TOKENS = data.tokens()[data.COLLECTOR]

DATA_DIGEST = "75ac6c548eaabb7cf68484b96bb2486536f772dcbf4b6c773a251f2276299586"
"""SHA-256 of every generated value; a change here means the data set changed for everyone."""


def _digest() -> str:
    def plain(value: object) -> object:
        return value.hex() if isinstance(value, bytes) else value

    document = {
        "tokens": {
            address: [{k: plain(v) for k, v in asdict(t).items()} for t in items]
            for address, items in data.tokens().items()
        },
        "accounts": {address: asdict(a) for address, a in data.accounts().items()},
        "assets": {
            fp: {k: plain(v) for k, v in asdict(a).items()} for fp, a in data.assets().items()
        },
    }
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def test_data_set_is_identical_on_every_machine_and_run() -> None:
    assert _digest() == DATA_DIGEST


def test_collector_holds_250_distinct_tokens_under_six_policies() -> None:
    assert len(COLLECTOR_TOKENS) == 250
    assert len({t.fingerprint for t in COLLECTOR_TOKENS}) == 250
    assert len({t.policy_hex for t in COLLECTOR_TOKENS}) == 6


def test_every_fingerprint_is_cip14_of_the_raw_policy_and_name() -> None:
    for items in data.tokens().values():
        for token in items:
            assert token.fingerprint == fingerprint(
                bytes.fromhex(token.policy_hex), token.name_bytes
            )


def test_tokens_are_listed_by_fingerprint_ascending() -> None:
    for items in data.tokens().values():
        assert [t.fingerprint for t in items] == sorted(t.fingerprint for t in items)


def test_collector_holds_big_quantity_exactly_once_and_nothing_else_above_2_pow_53() -> None:
    big = [t for t in COLLECTOR_TOKENS if t.quantity == data.BIG_QUANTITY]
    assert len(big) == 1
    assert data.BIG_QUANTITY == 45000000000000000
    assert all(t.quantity < 2**53 for t in COLLECTOR_TOKENS if t is not big[0])


def test_collector_has_at_least_three_names_whose_fingerprint_cannot_be_recomputed() -> None:
    lossy = [
        t
        for t in COLLECTOR_TOKENS
        if fingerprint(bytes.fromhex(t.policy_hex), t.name.encode()) != t.fingerprint
    ]
    assert len(lossy) >= 3
    assert all("\ufffd" in t.name for t in lossy)
    assert any(t.name_bytes.startswith(data.CIP68_NFT_LABEL) for t in lossy)


def test_collector_has_one_empty_name_some_nfts_and_mostly_ascii_names() -> None:
    assert sum(t.name_bytes == b"" for t in COLLECTOR_TOKENS) == 1
    assert sum(t.quantity == 1 for t in COLLECTOR_TOKENS) >= 10
    printable = [t for t in COLLECTOR_TOKENS if t.name.isascii() and t.name.isprintable()]
    assert len(printable) > 125


def test_served_name_is_the_raw_bytes_decoded_with_replacement() -> None:
    for token in COLLECTOR_TOKENS:
        assert token.name == token.name_bytes.decode("utf-8", errors="replace")


def test_reference_ada_balances() -> None:
    balances = data.ada_balances()
    assert balances[data.COLLECTOR] == 1_234_567_890
    assert balances[data.EMPTY] == 5_000_000
    assert balances[data.SMALL] == data.SMALL_ADA


def test_small_holds_five_tokens_and_empty_holds_none() -> None:
    assert len(data.tokens()[data.SMALL]) == 5
    assert data.tokens()[data.EMPTY] == []


def test_bench_addresses_are_twenty_valid_mainnet_stake_addresses_with_5_to_30_tokens() -> None:
    assert len(set(data.BENCH_STAKE_ADDRESSES)) == 20
    reference = {data.COLLECTOR, data.SMALL, data.EMPTY, data.ODDITIES}
    for address in data.BENCH_STAKE_ADDRESSES:
        assert check_stake_address(address, MAINNET) == address
        assert address not in reference
        assert 5 <= len(data.tokens()[address]) <= 30


def test_reference_addresses_are_valid_mainnet_stake_addresses() -> None:
    for address in (data.COLLECTOR, data.SMALL, data.EMPTY):
        assert check_stake_address(address, MAINNET) == address


def test_every_held_token_has_asset_details_with_enough_supply() -> None:
    held: dict[str, int] = {}
    for items in data.tokens().values():
        for token in items:
            held[token.fingerprint] = held.get(token.fingerprint, 0) + token.quantity
    assets = data.assets()
    assert set(assets) == set(held)
    for fp, quantity in held.items():
        assert assets[fp].total_supply >= quantity
        assert assets[fp].fingerprint == fp


def test_account_totals_add_up() -> None:
    for account in data.accounts().values():
        assert account.available_rewards == account.total_rewards - account.total_withdrawals
        if account.total_balance is not None:
            assert account.total_balance == account.controlled_stakes + account.available_rewards


def test_oddities_hold_what_the_real_service_may_send() -> None:
    tokens = data.tokens()[data.ODDITIES]
    assert [t.quantity for t in tokens if t.quantity > 2**63 - 1] == [data.ULONG_MAX]
    labels = {t.name_bytes[:4] for t in tokens}
    assert {
        data.CIP68_REFERENCE_LABEL,
        data.CIP68_NFT_LABEL,
        data.CIP68_FT_LABEL,
        data.CIP68_RFT_LABEL,
    } <= labels
    unreadable = [t for t in tokens if "\ufffd" in t.name[4:] or "\ufffd" in t.name[:2]]
    assert len(unreadable) == 2  # one after a label, one without
    assert data.accounts()[data.ODDITIES].total_balance is None
    assert data.ODDITIES not in data.ada_balances()
    assert check_stake_address(data.ODDITIES, MAINNET) == data.ODDITIES
