"""The sandbox's data: deterministic, self-consistent, written the way Mesh writes doubles."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sources.mesh import sandbox_data as data
from sources.sandboxing import dumps_exact

REPOSITORY = Path(__file__).resolve().parents[3]
USERS = [
    data.ALICE,
    data.BOB,
    data.WHALE,
    data.NULL_LISTS_USER,
    "nobody",
    *(data.generated_user(i) for i in (1, 2, 500, data.GENERATED_USER_COUNT)),
]
_DIGEST = (
    "import hashlib; from sources.mesh import sandbox_data as d; "
    "from sources.sandboxing import dumps_exact; "
    "print(hashlib.sha256(''.join(dumps_exact(d.portfolio_of(u)) for u in {users!r})"
    ".encode()).hexdigest())"
)


def _positions(content: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        *(content["equityPositions"] or ()),
        *(content["cryptocurrencyPositions"] or ()),
    ]


def test_data_is_identical_in_another_process_with_another_hash_seed() -> None:
    here = hashlib.sha256(
        "".join(dumps_exact(data.portfolio_of(user)) for user in USERS).encode()
    ).hexdigest()
    there = subprocess.run(
        [sys.executable, "-c", _DIGEST.format(users=USERS)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
        cwd=REPOSITORY,
    ).stdout.strip()
    assert there == here


@pytest.mark.parametrize("user", [data.BOB, data.WHALE, data.generated_user(7)])
def test_generated_totals_are_the_sums_of_market_values(user: str) -> None:
    content = data.portfolio_of(user)
    assert content is not None
    for total, positions in (
        ("equitiesValue", "equityPositions"),
        ("cryptocurrenciesValue", "cryptocurrencyPositions"),
        ("nftsValue", "nftPositions"),
    ):
        assert content[total] == sum((p["marketValue"] for p in content[positions]), Decimal(0))


def test_alice_crypto_and_nft_totals_are_sums_of_market_values() -> None:
    alice = data.portfolio_of(data.ALICE)
    assert alice is not None
    crypto = sum((p["marketValue"] for p in alice["cryptocurrencyPositions"]), Decimal(0))
    nfts = sum((n["marketValue"] for n in alice["nftPositions"]), Decimal(0))
    assert (alice["cryptocurrenciesValue"], alice["nftsValue"]) == (crypto, nfts)
    assert (str(crypto), str(nfts)) == ("943.4894", "1517.05")


def test_every_distribution_adds_up_to_its_position() -> None:
    whale = data.portfolio_of(data.WHALE)
    assert whale is not None
    spread = [p for p in _positions(whale) if p.get("distribution")]
    assert len(spread) == data.WHALE_CRYPTOCURRENCIES // 4
    for position in spread:
        assert sum(d["amount"] for d in position["distribution"]) == position["amount"]
        assert all(d["caipNetworkId"].startswith("eip155:") for d in position["distribution"])


def test_whale_nfts_cover_every_blockchain_and_both_contract_types() -> None:
    whale = data.portfolio_of(data.WHALE)
    assert whale is not None
    nfts = whale["nftPositions"]
    assert {n["blockchain"] for n in nfts} == {"ethereum", "polygon", "klaytn"}
    assert {n["contractType"] for n in nfts} == {"ERC721", "ERC1155"}
    assert all(n["amount"] == 1 for n in nfts if n["contractType"] == "ERC721")


_NUMBER = re.compile(r"(?<=[:\[,])-?[0-9][0-9.eE+-]*(?=[,\]}])")


@pytest.mark.parametrize("user", [data.ALICE, data.BOB, data.WHALE, data.generated_user(3)])
def test_numbers_are_written_as_a_double_prints_them(user: str) -> None:
    text = dumps_exact(data.portfolio_of(user))
    numbers = _NUMBER.findall(text)
    assert numbers
    assert [n for n in numbers if "e" in n.lower()] == []  # no exponent
    assert [n for n in numbers if "." in n and n.endswith("0")] == []  # no trailing zero
    assert [n for n in numbers if len(n.lstrip("-").replace(".", "").lstrip("0")) > 15] == []


def test_content_cannot_be_changed_by_a_reader() -> None:
    alice = data.portfolio_of(data.ALICE)
    assert alice is not None
    with pytest.raises(TypeError):
        alice["nftsValue"] = Decimal(1)  # type: ignore[index]
    assert isinstance(alice["equityPositions"], tuple)


@pytest.mark.parametrize("user", ["sandbox-user-0", "sandbox-user-1001", "sandbox-user-01"])
def test_generated_users_exist_only_in_their_range(user: str) -> None:
    assert data.portfolio_of(user) is data.EMPTY_CONTENT


def test_every_non_ok_status_has_a_user() -> None:
    statuses = {data.status_of(data.status_user(s)) for s in data.API_RESULT_STATUSES[1:]}
    assert statuses == set(data.API_RESULT_STATUSES[1:])
    assert data.status_of(data.FAILING_USER) == "serverFailure"
    assert data.portfolio_of(data.FAILING_USER) is None
