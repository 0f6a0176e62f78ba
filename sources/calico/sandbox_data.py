"""The Calico sandbox's reference data: who holds what, exactly, and how it is written.

Plain data, so tests can compute expected answers without the client. Positions SANDBOX.md
names are listed in `_NAMED`; the rest are generated from a seeded `random.Random`, so the data is
the same on every machine and run, and built once (`functools.cache`).

    alice  75 positions: coinbase 30, kraken 30, metamask 15 (chain `eth`, wallet `0x71C7…976F`).
           BTC and ETH on coinbase are partly staked; ALGO on coinbase, ADA on kraken; ETH and
           USDC also in the metamask wallet. Every position has a USD price. binance is
           connected but failing (`FAILING_PROVIDERS`).
    bob    2 positions on kraken (BTC, ETH), no failing provider.
    dave   a user whose Calico session has expired (`EXPIRED_USERS`): every request made with
           his token answers 603 "Authentication Failed", the end-user code Calico's docs
           say means "prompt the user to re-authenticate".
    sandbox-user-1 … sandbox-user-20 (`GENERATED_USERS`, for load and isolation tests; Mesh has
           users of the same names): 3 positions on kraken each, BTC, ETH and a symbol only
           that user holds, `U<nn>` (`U07` for user 7), with amounts that name the user
           (BTC `7.07`, ETH `70.5`, U07 `700`).

Each position says whether the sandbox writes its numbers as JSON strings or JSON numbers
(`numbers_as_strings`); both forms occur in both users' data. `assets_of` lists a user's
positions in the order Calico serves them: by provider, symbol, chain.
"""

from __future__ import annotations

import functools
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

__all__ = [
    "EXPIRED_USERS",
    "FAILING_PROVIDERS",
    "GENERATED_USERS",
    "METAMASK_WALLET",
    "USERS",
    "AssetData",
    "assets_of",
    "failures_of",
]

USERS = ("alice", "bob")
"""The sandbox's reference users; `sandbox.SANDBOX_TOKENS` maps their access tokens to them."""

GENERATED_USERS = tuple(f"sandbox-user-{index}" for index in range(1, 21))
"""Generated users, each with a token `sandbox-calico-<user>` in `sandbox.SANDBOX_TOKENS`."""

FAILING_PROVIDERS: Mapping[str, Mapping[str, str]] = {"alice": {"binance": "unauthorized"}}

EXPIRED_USERS = frozenset({"dave"})
"""Users whose session at Calico has expired: Calico answers their every request with 603."""
"""user -> {provider_id: cause} of connected providers Calico cannot read (206, `errors[]`)."""

METAMASK_WALLET = "0x71C7…976F"
"""The redacted address of alice's metamask wallet, as Calico writes it."""

_FETCHED_FROM = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
_WALLET_CHAIN = "eth"


@dataclass(frozen=True, slots=True)
class AssetData:
    """One position as the sandbox serves it."""

    provider_id: str
    asset_symbol: str
    chain: str | None
    asset_holdings: Decimal
    staked_holdings: Decimal | None
    price_in_usd: Decimal
    time_fetched: datetime
    """Aware UTC, whole milliseconds; written as `time_fetched_text`."""
    wallet_address_redacted: str | None
    numbers_as_strings: bool
    """True: amounts and price are written as JSON strings ("1.5"); false: as JSON numbers."""

    @property
    def order_key(self) -> tuple[str, str, str]:
        """What Calico orders positions by."""
        return (self.provider_id, self.asset_symbol, self.chain or "")

    @property
    def time_fetched_text(self) -> str:
        """`time_fetched` as written: ISO-8601, milliseconds, `Z`."""
        millis = self.time_fetched.microsecond // 1000
        return f"{self.time_fetched:%Y-%m-%dT%H:%M:%S}.{millis:03d}Z"


@dataclass(frozen=True, slots=True)
class _Named:
    provider_id: str
    asset_symbol: str
    holdings: str
    staked: str | None
    price: str
    as_strings: bool


_NAMED: Mapping[str, tuple[_Named, ...]] = {
    "alice": (
        _Named("coinbase", "BTC", "1.23456789", "0.5", "64123.45", as_strings=False),
        _Named("coinbase", "ETH", "40.25", "32", "3456.789012345678901", as_strings=True),
        _Named("coinbase", "ALGO", "12500.123456", None, "0.1834", as_strings=False),
        _Named("kraken", "ADA", "4321.987654", None, "0.4567", as_strings=True),
        # 20 significant digits as a JSON number: a float would round it.
        _Named("metamask", "ETH", "12.345678901234567891", None, "3456.789012345678901", False),
        _Named("metamask", "USDC", "2500.50", None, "1.0001", as_strings=True),
    ),
    "bob": (
        _Named("kraken", "BTC", "0.05", None, "64123.45", as_strings=False),
        _Named("kraken", "ETH", "1.5", None, "3456.78", as_strings=True),
    ),
}

_SIZES: Mapping[str, Mapping[str, int]] = {
    "alice": {"coinbase": 30, "kraken": 30, "metamask": 15},
    "bob": {"kraken": 2},
}
"""How many positions each user holds at each provider, named ones included."""

_SEEDS = {"alice": 1001, "bob": 1002}


def assets_of(user: str) -> list[AssetData]:
    """The user's positions in served order (empty for a user the sandbox does not know)."""
    return list(_assets(user))


def failures_of(user: str) -> Mapping[str, str]:
    """The user's failing providers: {provider_id: cause}."""
    return FAILING_PROVIDERS.get(user, {})


@functools.cache
def _assets(user: str) -> tuple[AssetData, ...]:
    if user in GENERATED_USERS:
        return _generated_user(GENERATED_USERS.index(user) + 1)
    if user not in _SIZES:
        return ()
    rng = random.Random(_SEEDS[user])
    named = _NAMED[user]
    taken = {item.asset_symbol for item in named}
    positions = [_from_named(item, rng) for item in named]
    for provider_id, size in _SIZES[user].items():
        have = sum(1 for item in named if item.provider_id == provider_id)
        for _ in range(size - have):
            symbol = _fresh_symbol(rng, taken)
            positions.append(_generated(provider_id, symbol, rng))
    return tuple(sorted(positions, key=lambda position: position.order_key))


def _generated_user(index: int) -> tuple[AssetData, ...]:
    rng = random.Random(2000 + index)
    positions = (
        _position("kraken", "BTC", Decimal(f"{index}.{index:02d}"), None, _BTC, False, rng),
        _position("kraken", "ETH", Decimal(f"{index * 10}.5"), None, _ETH, True, rng),
        _position("kraken", f"U{index:02d}", Decimal(index * 100), None, _ONE, index % 2 == 0, rng),
    )
    return tuple(sorted(positions, key=lambda position: position.order_key))


_BTC, _ETH, _ONE = Decimal("64123.45"), Decimal("3456.78"), Decimal("1.25")


def _from_named(item: _Named, rng: random.Random) -> AssetData:
    return _position(
        item.provider_id,
        item.asset_symbol,
        Decimal(item.holdings),
        Decimal(item.staked) if item.staked is not None else None,
        Decimal(item.price),
        item.as_strings,
        rng,
    )


def _generated(provider_id: str, symbol: str, rng: random.Random) -> AssetData:
    # Sizes of a plausible retail portfolio; exponents chosen so every value prints in plain
    # notation (no "1E-7"), and some holdings are whole numbers (JSON integers when numbers).
    if rng.random() < 0.2:
        holdings = Decimal(rng.randrange(1, 5000))
    else:
        holdings = Decimal(rng.randrange(10**3, 10**9)).scaleb(-rng.choice((4, 6, 8)))
    price = Decimal(rng.randrange(1, 10**6)).scaleb(-rng.choice((2, 4, 6)))
    return _position(provider_id, symbol, holdings, None, price, rng.random() < 0.5, rng)


def _position(
    provider_id: str,
    symbol: str,
    holdings: Decimal,
    staked: Decimal | None,
    price: Decimal,
    as_strings: bool,
    rng: random.Random,
) -> AssetData:
    wallet = provider_id == "metamask"
    return AssetData(
        provider_id=provider_id,
        asset_symbol=symbol,
        chain=_WALLET_CHAIN if wallet else None,
        asset_holdings=holdings,
        staked_holdings=staked,
        price_in_usd=price,
        time_fetched=_FETCHED_FROM + timedelta(milliseconds=rng.randrange(3_600_000)),
        wallet_address_redacted=METAMASK_WALLET if wallet else None,
        numbers_as_strings=as_strings,
    )


def _fresh_symbol(rng: random.Random, taken: set[str]) -> str:
    while True:
        symbol = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 5)))
        if symbol not in taken:
            taken.add(symbol)
            return symbol
