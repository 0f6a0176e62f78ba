"""The algod sandbox's ledger: deterministic, generated, and readable by tests.

Everything here is a pure function of a fixed seed and of indexes, so every machine and every
run sees the same ledger; it is generated once per process (`functools.cache`) in a few
milliseconds. Tests and the GraphQL layers read this module to compute the answers they expect
without going through the client.

The reference accounts of SANDBOX.md:

    WHALE  4BKTTRHZ2MXLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM
           2,500 holdings, ascending ids, among them USDC (31566704, decimals 6, amount
           1234567890), MAX_ID (decimals 19, amount = total = 2**64 - 1), FROZEN_ID (is-frozen)
           and DESTROYED_ID (no asset-params, amount 0); 5,000,000,000,000 microAlgos.
    SMALL  5N6DTPMFHCXDOULRO3GLSAE65HR3BD5D2XYR3UU6RVUYJGZJRDCFI2TMTQ
           3 holdings: USDC, one fungible token, one NFT.
    EMPTY  OKKJVEUELQFD4ZFEX3HXAWUD4ANLRNFUN6KUZAIXEKBIJYJTVGTHYYQJJE
           no holdings; 100,000 microAlgos (the minimum balance).

Beside them: `BENCH_ADDRESSES` (50 accounts with 10..40 holdings each, for the benchmarks) and
`CREATORS` (the generated assets' creators). Any other valid address holds nothing and 0 ALGO.

One asset catalogue (`assets()`) serves every account. A destroyed asset is absent from it
(algod has no parameters for it), though holdings of it remain.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from sources.algod.address import encode_address
from sources.parsing import UINT64_MAX

__all__ = [
    "BENCH_ADDRESSES",
    "CREATORS",
    "DESTROYED_ID",
    "EMPTY",
    "EMPTY_ALGO",
    "FROZEN_ID",
    "MAX_ID",
    "MIN_BALANCE",
    "ROUND",
    "SMALL",
    "USDC_CREATOR",
    "USDC_ID",
    "WHALE",
    "WHALE_ALGO",
    "WHALE_ASSET_COUNT",
    "WHALE_USDC_AMOUNT",
    "AssetParamsData",
    "HoldingData",
    "account_holdings",
    "algo_balances",
    "assets",
    "created_assets",
    "holdings",
    "min_balance",
    "printable_utf8",
]

ROUND = 48_500_000
"""The round every answer is "as of": the sandbox's ledger does not move."""
MIN_BALANCE = 100_000
"""microAlgos an account must keep, and again per asset it holds or created."""

WHALE = "4BKTTRHZ2MXLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM"
SMALL = "5N6DTPMFHCXDOULRO3GLSAE65HR3BD5D2XYR3UU6RVUYJGZJRDCFI2TMTQ"
EMPTY = "OKKJVEUELQFD4ZFEX3HXAWUD4ANLRNFUN6KUZAIXEKBIJYJTVGTHYYQJJE"

USDC_ID = 31566704
MAX_ID = 2000000001
FROZEN_ID = 2000000002
DESTROYED_ID = 2000000003

WHALE_ASSET_COUNT = 2500
WHALE_ALGO = 5_000_000_000_000
WHALE_USDC_AMOUNT = 1_234_567_890
EMPTY_ALGO = MIN_BALANCE

USDC_CREATOR = "2UEQTE5QDNXPI7M3TU44G6SYKLFWLPQO7EBZM7K7MHMQQMFI4QJPLHQFHM"
_USDC_MANAGER = "37XL3M57AXBUJARWMT5R7M35OERXMH3Q22JMMEFLBYNDXXADGFN625HAL4"

_SEED = 20240501
_GENERATED_IDS = range(1_000, 2_000_000_000)
"""Generated ids stay below the special 2000000001..3, which therefore end the whale's list."""


def _derived_address(label: str) -> str:
    return encode_address(hashlib.sha256(label.encode("ascii")).digest())


BENCH_ADDRESSES: tuple[str, ...] = tuple(_derived_address(f"bench-{i}") for i in range(50))
"""50 accounts, `encode_address(sha256(b"bench-<i>"))`, holding 10..40 assets each."""
CREATORS: tuple[str, ...] = tuple(_derived_address(f"creator-{i}") for i in range(16))
"""Creators of the generated assets (USDC keeps its real creator, `USDC_CREATOR`)."""


def printable_utf8(raw: bytes) -> str | None:
    """`raw` as text if algod would show it: non-empty, valid UTF-8, every character printable.

    Mirrors go-algorand's `printableUTF8OrEmpty` (`unicode.IsPrint`, which like
    `str.isprintable` admits letters, marks, numbers, punctuation, symbols and ASCII space).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or "\ufffd" in text or not text.isprintable():
        return None
    return text


def _b64(raw: bytes) -> str | None:
    return base64.b64encode(raw).decode("ascii") if raw else None


@dataclass(frozen=True, slots=True)
class AssetParamsData:
    """An asset's on-chain parameters; `to_json()` is exactly what algod shows for them."""

    creator: str
    decimals: int
    total: int
    default_frozen: bool
    name_raw: bytes
    unit_name_raw: bytes
    url_raw: bytes
    manager: str | None = None
    reserve: str | None = None
    freeze: str | None = None
    clawback: str | None = None
    metadata_hash: bytes | None = None

    @property
    def name(self) -> str | None:
        """algod's `name`: present only when printable."""
        return printable_utf8(self.name_raw)

    @property
    def name_b64(self) -> str | None:
        """algod's `name-b64`: present whenever the name is not empty."""
        return _b64(self.name_raw)

    @property
    def unit_name(self) -> str | None:
        return printable_utf8(self.unit_name_raw)

    @property
    def unit_name_b64(self) -> str | None:
        return _b64(self.unit_name_raw)

    @property
    def url(self) -> str | None:
        return printable_utf8(self.url_raw)

    @property
    def url_b64(self) -> str | None:
        return _b64(self.url_raw)

    def to_json(self) -> dict[str, Any]:
        """algod's `AssetParams` object, keys in algod's (alphabetical) order, absent ones
        omitted as algod omits them."""
        fields: dict[str, Any] = {
            "clawback": self.clawback,
            "creator": self.creator,
            "decimals": self.decimals,
            "default-frozen": self.default_frozen,
            "freeze": self.freeze,
            "manager": self.manager,
            "metadata-hash": _b64(self.metadata_hash or b""),
            "name": self.name,
            "name-b64": self.name_b64,
            "reserve": self.reserve,
            "total": self.total,
            "unit-name": self.unit_name,
            "unit-name-b64": self.unit_name_b64,
            "url": self.url,
            "url-b64": self.url_b64,
        }
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True, slots=True)
class HoldingData:
    """One opted-in asset of an account: algod's `asset-holding`."""

    asset_id: int
    amount: int
    is_frozen: bool

    def to_json(self) -> dict[str, Any]:
        return {"amount": self.amount, "asset-id": self.asset_id, "is-frozen": self.is_frozen}


class _Ledger(NamedTuple):
    assets: Mapping[int, AssetParamsData]
    holdings: Mapping[str, tuple[HoldingData, ...]]
    balances: Mapping[str, int]
    created: Mapping[str, tuple[int, ...]]


def assets() -> Mapping[int, AssetParamsData]:
    """The asset catalogue, by asset id (read-only). Destroyed assets are not in it."""
    return _ledger().assets


def holdings() -> Mapping[str, tuple[HoldingData, ...]]:
    """Every account that holds assets, with its holdings in ascending asset id (read-only)."""
    return _ledger().holdings


def account_holdings(address: str) -> tuple[HoldingData, ...]:
    """The holdings of any address: none for one the ledger does not know."""
    return _ledger().holdings.get(address, ())


def algo_balances() -> Mapping[str, int]:
    """microAlgos per known account; any other address has 0."""
    return _ledger().balances


def created_assets() -> Mapping[str, tuple[int, ...]]:
    """The ids each creator made, ascending (catalogue assets only)."""
    return _ledger().created


def min_balance(address: str) -> int:
    """algod's `min-balance` for the address: the base plus one per asset held or created."""
    ledger = _ledger()
    resources = len(ledger.holdings.get(address, ())) + len(ledger.created.get(address, ()))
    return MIN_BALANCE * (1 + resources)


_USDC = AssetParamsData(
    creator=USDC_CREATOR,
    decimals=6,
    total=UINT64_MAX,
    default_frozen=False,
    name_raw=b"USDC",
    unit_name_raw=b"USDC",
    url_raw=b"https://www.centre.io/usdc",
    manager=_USDC_MANAGER,
    reserve=USDC_CREATOR,
    freeze=_USDC_MANAGER,
    clawback=_USDC_MANAGER,
)


@functools.cache
def _ledger() -> _Ledger:
    rng = random.Random(_SEED)
    special = {USDC_ID, MAX_ID, FROZEN_ID, DESTROYED_ID}
    generated: set[int] = set()
    while len(generated) < WHALE_ASSET_COUNT - len(special):
        candidate = rng.choice(_GENERATED_IDS)
        if candidate not in special:
            generated.add(candidate)
    generated_ids = sorted(generated)

    catalogue: dict[int, AssetParamsData] = {USDC_ID: _USDC}
    for asset_id in generated_ids:
        catalogue[asset_id] = _generated_asset(rng, asset_id)
    catalogue[MAX_ID] = AssetParamsData(
        creator=CREATORS[0],
        decimals=19,
        total=UINT64_MAX,
        default_frozen=False,
        name_raw=b"Max Supply Token",
        unit_name_raw=b"MAXS",
        url_raw=b"https://sandbox.algod.invalid/assets/max",
        manager=CREATORS[0],
        reserve=CREATORS[0],
    )
    catalogue[FROZEN_ID] = AssetParamsData(
        creator=CREATORS[1],
        decimals=2,
        total=100_000_000,
        default_frozen=False,
        name_raw=b"Frozen Sandbox Token",
        unit_name_raw=b"FRZN",
        url_raw=b"https://sandbox.algod.invalid/assets/frozen",
        manager=CREATORS[1],
        reserve=CREATORS[1],
        freeze=CREATORS[1],
    )
    catalogue = dict(sorted(catalogue.items()))

    accounts: dict[str, tuple[HoldingData, ...]] = {
        WHALE: _whale_holdings(rng, catalogue),
        SMALL: _small_holdings(rng, catalogue, generated_ids),
    }
    catalogue_ids = list(catalogue)
    for address in BENCH_ADDRESSES:
        picked = sorted(rng.sample(catalogue_ids, rng.randint(10, 40)))
        accounts[address] = tuple(_random_holding(rng, i, catalogue[i]) for i in picked)

    balances = {WHALE: WHALE_ALGO, SMALL: rng.randint(10**6, 10**10), EMPTY: EMPTY_ALGO}
    for address in (*BENCH_ADDRESSES, *CREATORS, USDC_CREATOR):
        balances[address] = rng.randint(10**7, 10**12)

    created: dict[str, list[int]] = {}
    for asset_id, params in catalogue.items():
        created.setdefault(params.creator, []).append(asset_id)

    return _Ledger(
        assets=MappingProxyType(catalogue),
        holdings=MappingProxyType(accounts),
        balances=MappingProxyType(balances),
        created=MappingProxyType({k: tuple(v) for k, v in created.items()}),
    )


_WORDS = ("Coin", "Token", "Dollar", "Credits", "Share", "Points", "Gold", "Bond", "Yield")


def _generated_asset(rng: random.Random, asset_id: int) -> AssetParamsData:
    """One asset: mostly fungible tokens with 0..19 decimals, some NFTs, a few whose names
    algod cannot show (so only `name-b64` appears)."""
    creator = rng.choice(CREATORS)
    kind = rng.random()
    if kind < 0.12:
        return AssetParamsData(
            creator=creator,
            decimals=0,
            total=1,
            default_frozen=False,
            name_raw=f"Sandbox NFT #{asset_id}".encode(),
            unit_name_raw=b"SNFT",
            url_raw=f"ipfs://{hashlib.sha256(f'nft-{asset_id}'.encode()).hexdigest()}#arc3".encode(),
            manager=creator,
            reserve=creator,
            metadata_hash=hashlib.sha256(f"nft-meta-{asset_id}".encode()).digest(),
        )
    unit = "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(3, 5)))
    if kind < 0.17:
        # Not printable: half invalid UTF-8, half a control character.
        name_raw = (
            b"\xfe\xff" + rng.randbytes(rng.randint(2, 6))
            if rng.random() < 0.5
            else f"{unit}\x07".encode()
        )
        unit_raw = b"\x00" + unit.encode() if rng.random() < 0.5 else unit.encode()
    elif kind < 0.22:
        name_raw = f"Ωmega {unit} Café".encode()  # printable, beyond ASCII
        unit_raw = unit.encode()
    else:
        name_raw = f"{unit} {rng.choice(_WORDS)}".encode()
        unit_raw = b"" if rng.random() < 0.05 else unit.encode()
    digits = rng.randint(1, 20)
    total = min(UINT64_MAX, rng.randrange(10 ** (digits - 1), 10**digits))
    url_raw = b"" if rng.random() < 0.2 else f"https://{unit.lower()}.example/asa".encode()
    return AssetParamsData(
        creator=creator,
        decimals=rng.randint(0, 19),
        total=total,
        default_frozen=rng.random() < 0.02,
        name_raw=name_raw,
        unit_name_raw=unit_raw,
        url_raw=url_raw,
        manager=creator,
        reserve=creator,
        clawback=creator if rng.random() < 0.1 else None,
    )


def _random_holding(rng: random.Random, asset_id: int, params: AssetParamsData) -> HoldingData:
    amount = 0 if rng.random() < 0.08 else rng.randint(1, params.total)
    return HoldingData(asset_id, amount, params.default_frozen)


def _whale_holdings(
    rng: random.Random, catalogue: Mapping[int, AssetParamsData]
) -> tuple[HoldingData, ...]:
    rows: list[HoldingData] = []
    for asset_id, params in catalogue.items():
        if asset_id == USDC_ID:
            rows.append(HoldingData(USDC_ID, WHALE_USDC_AMOUNT, False))
        elif asset_id == MAX_ID:
            rows.append(HoldingData(MAX_ID, UINT64_MAX, False))
        elif asset_id == FROZEN_ID:
            rows.append(HoldingData(FROZEN_ID, 4_200, True))
        else:
            rows.append(_random_holding(rng, asset_id, params))
    # Destroying an asset needs all its units back with the creator: holders keep a 0 holding.
    rows.append(HoldingData(DESTROYED_ID, 0, False))
    return tuple(rows)


def _small_holdings(
    rng: random.Random, catalogue: Mapping[int, AssetParamsData], generated_ids: list[int]
) -> tuple[HoldingData, ...]:
    nfts = [i for i in generated_ids if catalogue[i].total == 1]
    printable = [i for i in generated_ids if catalogue[i].total > 1 and catalogue[i].name]
    picked = sorted({USDC_ID, rng.choice(nfts), rng.choice(printable)})
    # A modest account: at most a thousand display units of each asset.
    return tuple(
        HoldingData(i, rng.randint(1, min(p.total, 10 ** (p.decimals + 3))), False)
        for i, p in ((i, catalogue[i]) for i in picked)
    )
