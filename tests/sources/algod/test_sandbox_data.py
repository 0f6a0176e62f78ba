"""The sandbox ledger: the reference accounts exactly as SANDBOX.md lists them, and a mix of
generated assets that exercises every case the client must handle."""

import hashlib
import itertools
import os
import subprocess
import sys
from pathlib import Path

from sources.algod import sandbox_data as data
from sources.algod.address import check_address, encode_address
from sources.parsing import UINT64_MAX


def whale() -> dict[int, data.HoldingData]:
    return {h.asset_id: h for h in data.account_holdings(data.WHALE)}


def test_reference_addresses_are_valid_and_distinct() -> None:
    addresses = [data.WHALE, data.SMALL, data.EMPTY, *data.BENCH_ADDRESSES, *data.CREATORS]
    assert all(check_address(a) == a for a in addresses)
    assert len(set(addresses)) == len(addresses)


def test_whale_holds_2500_assets_in_strictly_ascending_order() -> None:
    ids = [h.asset_id for h in data.account_holdings(data.WHALE)]
    assert len(ids) == 2500
    assert all(a < b for a, b in itertools.pairwise(ids))


def test_whale_usdc_is_the_reference_holding() -> None:
    usdc = data.assets()[data.USDC_ID]
    assert whale()[data.USDC_ID] == data.HoldingData(data.USDC_ID, 1234567890, False)
    assert (usdc.decimals, usdc.name, usdc.unit_name) == (6, "USDC", "USDC")


def test_max_asset_has_19_decimals_and_uint64_max_amount_and_total() -> None:
    params = data.assets()[data.MAX_ID]
    assert params.decimals == 19
    assert params.total == whale()[data.MAX_ID].amount == 18446744073709551615


def test_frozen_asset_holding_is_frozen() -> None:
    assert whale()[data.FROZEN_ID].is_frozen is True


def test_destroyed_asset_is_held_but_not_in_the_catalogue() -> None:
    assert data.DESTROYED_ID in whale()
    assert data.DESTROYED_ID not in data.assets()


def test_whale_has_5_000_000_000_000_microalgos() -> None:
    assert data.algo_balances()[data.WHALE] == 5_000_000_000_000


def test_small_holds_three_assets_one_of_them_usdc() -> None:
    ids = [h.asset_id for h in data.account_holdings(data.SMALL)]
    assert len(ids) == 3
    assert data.USDC_ID in ids
    assert ids == sorted(ids)


def test_empty_holds_nothing() -> None:
    assert data.account_holdings(data.EMPTY) == ()
    assert data.EMPTY not in data.holdings()


def test_bench_addresses_are_derived_from_sha256_and_hold_10_to_40_assets() -> None:
    expected = [encode_address(hashlib.sha256(f"bench-{i}".encode()).digest()) for i in range(50)]
    assert list(data.BENCH_ADDRESSES) == expected
    assert all(10 <= len(data.account_holdings(a)) <= 40 for a in data.BENCH_ADDRESSES)


def test_every_holding_fits_its_asset() -> None:
    catalogue = data.assets()
    for address, rows in data.holdings().items():
        ids = [h.asset_id for h in rows]
        assert ids == sorted(set(ids)), address
        for holding in rows:
            params = catalogue.get(holding.asset_id)
            if params is None:
                assert holding.asset_id == data.DESTROYED_ID
            else:
                assert 0 <= holding.amount <= params.total <= UINT64_MAX


def test_catalogue_values_are_within_algods_ranges() -> None:
    for asset_id, params in data.assets().items():
        assert 0 < asset_id <= UINT64_MAX
        assert 0 <= params.decimals <= 19
        assert 1 <= params.total <= UINT64_MAX
        assert check_address(params.creator)


def test_whale_mixes_every_kind_of_asset() -> None:
    catalogue = data.assets()
    held = [(h, catalogue.get(h.asset_id)) for h in data.account_holdings(data.WHALE)]
    params = [p for _, p in held if p is not None]
    nfts = [p for p in params if p.total == 1 and p.decimals == 0]
    unprintable = [p for p in params if p.name is None and p.name_b64 is not None]
    assert len(nfts) >= 50
    assert len(unprintable) >= 20
    assert {p.decimals for p in params} == set(range(20))
    assert sum(1 for h, _ in held if h.amount == 0) >= 20
    assert any(p.name is not None and not p.name.isascii() for p in params)


def test_usdc_params_are_shared_by_every_holder() -> None:
    holders = [
        a for a, rows in data.holdings().items() if any(h.asset_id == data.USDC_ID for h in rows)
    ]
    assert {data.WHALE, data.SMALL} <= set(holders)
    assert data.assets()[data.USDC_ID].to_json()["unit-name"] == "USDC"


def test_unprintable_names_are_omitted_from_algods_json() -> None:
    params = data.AssetParamsData(
        creator=data.CREATORS[0],
        decimals=0,
        total=1,
        default_frozen=False,
        name_raw=b"\xff\xfe",
        unit_name_raw=b"BELL\x07",
        url_raw=b"",
    )
    body = params.to_json()
    assert "name" not in body and body["name-b64"] == "//4="
    assert "unit-name" not in body and body["unit-name-b64"] == "QkVMTAc="
    assert "url" not in body and "url-b64" not in body


def _fingerprint_code() -> str:
    return (
        "import hashlib\n"
        "from sources.algod import sandbox_data as d\n"
        "text = repr((sorted(d.assets().items()), sorted(d.holdings().items()),"
        " sorted(d.algo_balances().items())))\n"
        "print(hashlib.sha256(text.encode()).hexdigest())\n"
    )


def test_the_ledger_is_the_same_in_every_process() -> None:
    env_runs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        env_runs.append(
            subprocess.run(
                [sys.executable, "-c", _fingerprint_code()],
                capture_output=True,
                text=True,
                check=True,
                env=env,
                cwd=Path(__file__).resolve().parents[3],
            ).stdout
        )
    assert env_runs[0] == env_runs[1]
    assert len(env_runs[0].strip()) == 64
