"""The CardanoBI sandbox's data set: generated, deterministic, the same on every machine and run.

The reference accounts of SANDBOX.md exist with exactly the listed properties; the rest is
derived from seeded `random.Random` instances (string seeds are hashed with SHA-512, so they do
not depend on `PYTHONHASHSEED`) and from BLAKE2b of fixed labels. Everything is exposed in plain
form so tests can compute expected answers without going through the client:

    COLLECTOR   stake1uxrur69w...  250 tokens under 6 policies, ADA 1,234,567,890 lovelace
                                   - exactly one token holds BIG_QUANTITY (the only one > 2**53)
                                   - 15 CIP-222 NFTs (label 000de140) and 15 CIP-333 tokens
                                     (label 0014df10): names that are not UTF-8, so the served
                                     `name` carries U+FFFD and cannot give back the fingerprint
                                   - one token with an empty name, 155 NFT-like (quantity 1)
    SMALL       stake1u8fp0lty...  5 tokens (2 fungibles shared with COLLECTOR, 3 of its own)
    EMPTY       stake1u89x6el7...  no tokens (CardanoBI answers 404), ADA 5,000,000 lovelace
    ODDITIES    stake1uxtcdprl...  what the real service may send and the collector does not:
                                   a quantity of ULONG_MAX (2**64 - 1, CardanoBI's `ulong`),
                                   `total_balance: null`, CIP-68 tokens of all four labels, a
                                   labelled name that is not UTF-8 after its label, and a
                                   name that is not UTF-8 at all
    BENCH_STAKE_ADDRESSES          20 more mainnet stake addresses, 5..30 tokens each, drawn
                                   from a shared pool of 60 fungibles

`tokens()` lists each account's tokens sorted by fingerprint ascending. Treat every returned
value as read-only: it is cached for the whole process.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from types import MappingProxyType

from sources.cardanobi.identifiers import (
    CARDANO_NETWORKS,
    bech32_encode,
    fingerprint,
    stake_address,
)

__all__ = [
    "BENCH_STAKE_ADDRESSES",
    "BIG_QUANTITY",
    "CIP68_FT_LABEL",
    "CIP68_NFT_LABEL",
    "CIP68_REFERENCE_LABEL",
    "CIP68_RFT_LABEL",
    "COLLECTOR",
    "COLLECTOR_ADA",
    "EMPTY",
    "EMPTY_ADA",
    "ODDITIES",
    "SMALL",
    "SMALL_ADA",
    "ULONG_MAX",
    "AccountData",
    "AssetData",
    "TokenData",
    "accounts",
    "ada_balances",
    "assets",
    "tokens",
]

COLLECTOR = "stake1uxrur69w630vrzj6l3qn2p4uqkcv7dfteurshv2svl348dczmgphs"
SMALL = "stake1u8fp0ltydlamndwxve0kq5gs7nwwmw3sz3tyhcwgjmk568c6ghfmh"
EMPTY = "stake1u89x6el7yhm8c96g4jeh8m640dzzepkwpm0ge5em6xwnz7qhdcfv2"

BIG_QUANTITY = 45_000_000_000_000_000
"""The collector's one quantity above 2**53: a float would round it."""

COLLECTOR_ADA = 1_234_567_890
SMALL_ADA = 25_000_000
EMPTY_ADA = 5_000_000

CIP68_NFT_LABEL = bytes.fromhex("000de140")
"""CIP-68 label 222 (user NFT); 0xe1 0x40 is not valid UTF-8."""
CIP68_FT_LABEL = bytes.fromhex("0014df10")
"""CIP-68 label 333 (fungible token); 0xdf 0x10 is not valid UTF-8."""
CIP68_REFERENCE_LABEL = bytes.fromhex("000643b0")
"""CIP-68 label 100 (reference NFT, which holds the metadata datum); 0xb0 is not valid UTF-8."""
CIP68_RFT_LABEL = bytes.fromhex("001bc280")
"""CIP-68 label 444 (rich fungible token); 0xc2 0x80 is valid UTF-8 (U+0080)."""

ULONG_MAX = 2**64 - 1
"""The largest quantity CardanoBI can send (`AccountAssetDTO.quantity` is a C# `ulong`)."""

_MAINNET = CARDANO_NETWORKS["mainnet"]
_FUNGIBLE_MAX = 10**15
"""Every quantity but BIG_QUANTITY stays below this, well under 2**53."""


@dataclass(frozen=True, slots=True)
class TokenData:
    """One native token held by one account, as the data set knows it."""

    policy_hex: str
    name_bytes: bytes
    fingerprint: str
    quantity: int

    @property
    def name(self) -> str:
        """The name CardanoBI serves: the raw bytes decoded as UTF-8 with replacement
        (.NET's `Encoding.Default.GetString`)."""
        return self.name_bytes.decode("utf-8", errors="replace")

    @property
    def name_hex(self) -> str:
        return self.name_bytes.hex()


@dataclass(frozen=True, slots=True)
class AccountData:
    """The fields of CardanoBI's AccountInfoDTO for one stake address (lovelace as ints)."""

    stake_address: str
    is_registered: bool
    last_reg_dereg_tx: str | None
    last_reg_dereg_epoch_no: int | None
    pool_id: str | None
    last_deleg_tx: str | None
    delegated_since_epoch_no: int | None
    total_balance: int | None
    """Lovelace; null for an account the API has no balance for (the DTO's `long?`)."""
    controlled_stakes: int
    total_rewards: int
    total_withdrawals: int
    available_rewards: int


@dataclass(frozen=True, slots=True)
class AssetData:
    """The fields of CardanoBI's AssetDetailsDTO for one native token."""

    asset_id: int
    fingerprint: str
    policy_hex: str
    name_bytes: bytes
    creation_time: str
    total_supply: int
    mint_cnt: int
    burn_cnt: int
    first_mint_tx_hash: str
    first_mint_keys: tuple[str, ...]
    last_mint_tx_hash: str
    last_mint_keys: tuple[str, ...]
    first_mint_metadata: str | None

    @property
    def name(self) -> str:
        return self.name_bytes.decode("utf-8", errors="replace")


def _digest(label: str, size: int) -> bytes:
    return hashlib.blake2b(label.encode(), digest_size=size).digest()


def _policy(label: str) -> str:
    return _digest(f"cardanobi-sandbox/policy/{label}", 28).hex()


def _token(policy_hex: str, name: bytes, quantity: int) -> TokenData:
    return TokenData(policy_hex, name, fingerprint(bytes.fromhex(policy_hex), name), quantity)


def _tickers(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """`count` distinct upper-case tickers of 3..6 letters, none already in `taken`."""
    names: list[str] = []
    while len(names) < count:
        name = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=rng.randint(3, 6)))
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _fungible(rng: random.Random) -> int:
    return rng.randrange(1, _FUNGIBLE_MAX) if rng.random() < 0.2 else rng.randrange(1, 10**12)


@cache
def _collector_tokens() -> tuple[TokenData, ...]:
    rng = random.Random("cardanobi-sandbox/collector")
    buds, tickers, cip68, misc, art, lp = (
        _policy(f"collector/{name}") for name in ("buds", "tickers", "cip68", "misc", "art", "lp")
    )
    out = [_token(buds, f"SandboxBud{n:04d}".encode(), 1) for n in range(1, 101)]
    out.append(_token(tickers, b"WHALE", BIG_QUANTITY))
    out += [
        _token(tickers, name.encode(), _fungible(rng))
        for name in _tickers(rng, 39, {"WHALE", "ACORN", "BIRCH", "CEDAR"})
    ]
    out += [_token(cip68, CIP68_NFT_LABEL + f"Pixel{n:02d}".encode(), 1) for n in range(1, 16)]
    out += [
        _token(cip68, CIP68_FT_LABEL + f"Coin{n:02d}".encode(), _fungible(rng))
        for n in range(1, 16)
    ]
    out.append(_token(misc, b"", 1))
    out.append(_token(misc, "Café".encode(), _fungible(rng)))
    out.append(_token(misc, "🚀MOON".encode(), _fungible(rng)))
    out += [_token(misc, f"Misc Token {n}".encode(), _fungible(rng)) for n in range(1, 18)]
    out += [_token(art, f"Art #{n}".encode(), 1) for n in range(1, 40)]
    out.append(_token(art, b"Art Edition", 250))
    out += [_token(lp, f"LP-{n:02d}".encode(), _fungible(rng)) for n in range(1, 21)]
    return tuple(out)


@cache
def _small_tokens() -> tuple[TokenData, ...]:
    rng = random.Random("cardanobi-sandbox/small")
    shared = sorted(
        (t for t in _collector_tokens() if t.quantity > 1 and t.name_bytes.isalpha()),
        key=lambda t: t.fingerprint,
    )[:2]
    own = _policy("small/trees")
    return (
        *(_token(t.policy_hex, t.name_bytes, rng.randrange(1, 10**9)) for t in shared),
        *(_token(own, name, rng.randrange(1, 10**9)) for name in (b"ACORN", b"BIRCH", b"CEDAR")),
    )


ODDITIES = stake_address(_digest("cardanobi-sandbox/oddities", 28), _MAINNET)


@cache
def _oddities_tokens() -> tuple[TokenData, ...]:
    policy = _policy("oddities/edge-cases")
    return (
        _token(policy, b"ULONG", ULONG_MAX),
        _token(policy, CIP68_REFERENCE_LABEL + b"Relic", 1),
        _token(policy, CIP68_NFT_LABEL + b"Relic", 1),
        _token(policy, CIP68_FT_LABEL + b"Gold", 7_500_000),
        _token(policy, CIP68_RFT_LABEL + b"Shares", 12),
        _token(policy, CIP68_NFT_LABEL + b"\xff\xfeBin", 1),
        _token(policy, b"\xc3\x28raw", 5),
    )


def _bench_address(index: int) -> str:
    return stake_address(_digest(f"cardanobi-sandbox/bench/{index}", 28), _MAINNET)


BENCH_STAKE_ADDRESSES: tuple[str, ...] = tuple(_bench_address(i) for i in range(20))
"""20 more mainnet stake addresses, 5..30 tokens each (for benchmarks and batching tests)."""


@cache
def _bench_tokens() -> Mapping[str, tuple[TokenData, ...]]:
    rng = random.Random("cardanobi-sandbox/bench")
    pool_policy = _policy("bench/pool")
    pool = [f"BENCH{n:02d}".encode() for n in range(60)]
    return {
        address: tuple(
            _token(pool_policy, name, rng.randrange(1, 10**9))
            for name in rng.sample(pool, rng.randint(5, 30))
        )
        for address in BENCH_STAKE_ADDRESSES
    }


@cache
def tokens() -> Mapping[str, list[TokenData]]:
    """Every known stake address -> its tokens, sorted by fingerprint ascending (EMPTY: [])."""
    held = {
        COLLECTOR: _collector_tokens(),
        SMALL: _small_tokens(),
        EMPTY: (),
        ODDITIES: _oddities_tokens(),
        **_bench_tokens(),
    }
    return MappingProxyType(
        {address: sorted(items, key=lambda t: t.fingerprint) for address, items in held.items()}
    )


@cache
def ada_balances() -> Mapping[str, int]:
    """Every known stake address with a `total_balance` -> that balance in lovelace."""
    return MappingProxyType(
        {
            address: account.total_balance
            for address, account in accounts().items()
            if account.total_balance is not None
        }
    )


def _hex32(label: str) -> str:
    return _digest(f"cardanobi-sandbox/tx/{label}", 32).hex()


def _pool_id(label: str) -> str:
    return bech32_encode("pool", _digest(f"cardanobi-sandbox/pool/{label}", 28))


def _registered(address: str, total_balance: int, rng: random.Random) -> AccountData:
    total_rewards = rng.randrange(0, min(total_balance, 10**11) + 1)
    total_withdrawals = rng.randrange(0, total_rewards + 1)
    available = total_rewards - total_withdrawals
    reg_epoch = rng.randint(208, 400)
    return AccountData(
        stake_address=address,
        is_registered=True,
        last_reg_dereg_tx=_hex32(f"{address}/reg"),
        last_reg_dereg_epoch_no=reg_epoch,
        pool_id=_pool_id(str(rng.randrange(8))),
        last_deleg_tx=_hex32(f"{address}/deleg"),
        delegated_since_epoch_no=reg_epoch + rng.randint(0, 40),
        total_balance=total_balance,
        controlled_stakes=total_balance - available,
        total_rewards=total_rewards,
        total_withdrawals=total_withdrawals,
        available_rewards=available,
    )


@cache
def accounts() -> Mapping[str, AccountData]:
    """Every known stake address -> its AccountInfoDTO values. EMPTY is not registered and
    not delegated (its ADA sits at a base address whose stake key was never registered);
    ODDITIES has no `total_balance`."""
    rng = random.Random("cardanobi-sandbox/accounts")
    known = {
        COLLECTOR: _registered(COLLECTOR, COLLECTOR_ADA, rng),
        SMALL: _registered(SMALL, SMALL_ADA, rng),
        EMPTY: AccountData(
            stake_address=EMPTY,
            is_registered=False,
            last_reg_dereg_tx=None,
            last_reg_dereg_epoch_no=None,
            pool_id=None,
            last_deleg_tx=None,
            delegated_since_epoch_no=None,
            total_balance=EMPTY_ADA,
            controlled_stakes=EMPTY_ADA,
            total_rewards=0,
            total_withdrawals=0,
            available_rewards=0,
        ),
    }
    for address in BENCH_STAKE_ADDRESSES:
        known[address] = _registered(address, rng.randrange(10**6, 10**13), rng)
    known[ODDITIES] = AccountData(
        stake_address=ODDITIES,
        is_registered=True,
        last_reg_dereg_tx=_hex32(f"{ODDITIES}/reg"),
        last_reg_dereg_epoch_no=412,
        pool_id=None,
        last_deleg_tx=None,
        delegated_since_epoch_no=None,
        total_balance=None,
        controlled_stakes=0,
        total_rewards=0,
        total_withdrawals=0,
        available_rewards=0,
    )
    return MappingProxyType(known)


_EPOCH_START = datetime(2021, 3, 1, 21, 44, 51, tzinfo=UTC)
"""The Mary hard fork, when native tokens began."""


def _metadata(token: TokenData) -> str | None:
    """CIP-25 mint metadata as the JSON string CardanoBI serves, for NFTs with a text name
    (CIP-68 tokens carry theirs in a datum, which CardanoBI does not show)."""
    labels = (CIP68_REFERENCE_LABEL, CIP68_NFT_LABEL, CIP68_FT_LABEL, CIP68_RFT_LABEL)
    if token.name_bytes.startswith(labels) or not token.name_bytes:
        return None
    image = "ipfs://" + hashlib.sha256(token.fingerprint.encode()).hexdigest()
    return json.dumps(
        {"721": {token.policy_hex: {token.name: {"name": token.name, "image": image}}}}
    )


@cache
def assets() -> Mapping[str, AssetData]:
    """Every token any known account holds, by fingerprint. `total_supply` covers every
    holder in the data set and more; NFTs (quantity 1, one holder) have a supply of 1."""
    held: defaultdict[str, int] = defaultdict(int)
    first: dict[str, TokenData] = {}
    for items in tokens().values():
        for token in items:
            held[token.fingerprint] += token.quantity
            first.setdefault(token.fingerprint, token)
    out: dict[str, AssetData] = {}
    for asset_id, fp in enumerate(sorted(first), start=1):
        token = first[fp]
        rng = random.Random(f"cardanobi-sandbox/asset/{fp}")
        nft = held[fp] == 1
        minted = _EPOCH_START + timedelta(seconds=rng.randrange(0, 4 * 365 * 86400))
        metadata = _metadata(token) if nft else None
        keys = ("721",) if metadata is not None else ()
        out[fp] = AssetData(
            asset_id=asset_id,
            fingerprint=fp,
            policy_hex=token.policy_hex,
            name_bytes=token.name_bytes,
            # db-sync keeps `timestamp without time zone`, which .NET writes without an offset
            creation_time=minted.strftime("%Y-%m-%dT%H:%M:%S"),
            total_supply=held[fp] if nft else held[fp] + rng.randrange(0, 10**12),
            mint_cnt=1 if nft else rng.randint(1, 5),
            burn_cnt=0 if nft else rng.randint(0, 2),
            first_mint_tx_hash=_hex32(f"{fp}/first-mint"),
            first_mint_keys=keys,
            last_mint_tx_hash=_hex32(f"{fp}/{'first' if nft else 'last'}-mint"),
            last_mint_keys=keys,
            first_mint_metadata=metadata,
        )
    return MappingProxyType(out)
