"""The Mesh sandbox's users and their portfolios, generated deterministically.

Everything here is plain JSON-ready data, exactly what the sandbox puts in the `content` of a
`B2BPortfolioModelApiResult` (camelCase keys, every amount a `Decimal` that `dumps_exact` writes
digit for digit), so tests can compute expected answers without the client. Values are frozen
(read-only mappings, tuples) and built once per user (`functools.cache`).

Users (`UserId`):

- `alice` (SANDBOX.md): the reference doc's "CEX example" verbatim (TSLA and AAPL equities,
  ETH and DOGE cryptocurrencies, every number as in the doc, `portfolioCostBasis` 1819.9,
  `actualPortfolioPerformance` 6.1, `equitiesValue` 1934.78), plus the doc's self-custody ETH
  position (amount 0.260325 spread over `eip155:1` 0.16 and `eip155:42161` 0.100325), plus two
  NFT positions (an ERC721 and an ERC1155 on ethereum). `cryptocurrenciesValue` and `nftsValue`
  are the sums of the `marketValue`s of those lists (943.4894 and 1517.05), not the doc's
  1185.12 and 0, so the totals agree with the positions.
- `bob`: one equity position, MSFT.
- `carol`: a margin account, what Mesh passes through from brokers and the graph must take
  (`upstream-samples`: no minimum on any number of `PositionWithReturn`; the aggregates not
  required): a short GME position (amount -10, market value -231.5, a negative portfolio
  percentage), a Ford position and a SOL position at a loss (negative returns), a negative
  `actualPortfolioPerformance`, and no `equitiesValue` nor `nftsValue`.
- `whale`: `WHALE_EQUITIES` equities, `WHALE_CRYPTOCURRENCIES` cryptocurrencies (every fourth
  one self-custody, with a distribution) and `WHALE_NFTS` NFTs, from a seeded generator: for
  paging through a large portfolio in memory.
- `sandbox-user-1` .. `sandbox-user-1000`: small generated portfolios, one seed per user, for
  benchmarks that need many distinct users.
- `sandbox-no-content`: `ok` with `content: null`.  `sandbox-null-lists`: `ok` with zero values
  and every position list `null`.
- `sandbox-failing`: HTTP 200 with `status: "serverFailure"`; `sandbox-status-<status>`: HTTP 200
  with that `ApiResultStatus` (any of them but `ok`), e.g. `sandbox-status-tooManyRequest`.
- Any other `UserId`: `ok`, zero values and empty lists (`EMPTY_CONTENT`).

Generated numbers keep to what a double prints: at most 15 significant digits, no trailing
zeros, no exponent.
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any

__all__ = [
    "ALICE",
    "ALICE_SELF_CUSTODY_ADDRESS",
    "API_RESULT_STATUSES",
    "BOB",
    "CAROL",
    "EMPTY_CONTENT",
    "FAILING_USER",
    "GENERATED_USER_COUNT",
    "GENERATED_USER_PREFIX",
    "NAMED_USERS",
    "NO_CONTENT_USER",
    "NULL_LISTS_USER",
    "STATUS_USER_PREFIX",
    "WHALE",
    "WHALE_CRYPTOCURRENCIES",
    "WHALE_EQUITIES",
    "WHALE_NFTS",
    "generated_user",
    "portfolio_of",
    "status_of",
    "status_user",
]

ALICE = "alice"
BOB = "bob"
CAROL = "carol"
WHALE = "whale"
NAMED_USERS = (ALICE, BOB, CAROL, WHALE)

FAILING_USER = "sandbox-failing"
NO_CONTENT_USER = "sandbox-no-content"
NULL_LISTS_USER = "sandbox-null-lists"
STATUS_USER_PREFIX = "sandbox-status-"
GENERATED_USER_PREFIX = "sandbox-user-"
GENERATED_USER_COUNT = 1000

WHALE_EQUITIES = 60
WHALE_CRYPTOCURRENCIES = 150
WHALE_NFTS = 25

#: `ApiResultStatus`, in the spec's order.
API_RESULT_STATUSES = (
    "ok",
    "serverFailure",
    "permissionDenied",
    "badRequest",
    "notFound",
    "conflict",
    "tooManyRequest",
    "locked",
    "unavailableForLegalReasons",
)

#: The wallet of the reference doc's self-custody example.
ALICE_SELF_CUSTODY_ADDRESS = "0x1111111111111111111111111111111111111111"

Json = Mapping[str, Any]


def status_user(status: str) -> str:
    """The `UserId` whose answer is HTTP 200 with `status` (any `ApiResultStatus` but `ok`)."""
    return STATUS_USER_PREFIX + status


def generated_user(index: int) -> str:
    """The `UserId` of generated user `index` (1 .. `GENERATED_USER_COUNT`)."""
    return f"{GENERATED_USER_PREFIX}{index}"


def status_of(user_id: str) -> str:
    """The `ApiResultStatus` the sandbox answers (with HTTP 200) for `user_id`."""
    if user_id == FAILING_USER:
        return "serverFailure"
    if user_id.startswith(STATUS_USER_PREFIX):
        status = user_id.removeprefix(STATUS_USER_PREFIX)
        if status in API_RESULT_STATUSES:
            return status
    return "ok"


def portfolio_of(user_id: str) -> Json | None:
    """The `content` of the sandbox's answer for `user_id`: a `B2BPortfolioModel`, or None
    where the answer carries `content: null` (an error status, or `sandbox-no-content`)."""
    if status_of(user_id) != "ok" or user_id == NO_CONTENT_USER:
        return None
    named = _NAMED.get(user_id)
    if named is not None:
        return named()
    index = _generated_index(user_id)
    if index is not None:
        return _generated(index)
    return EMPTY_CONTENT


def _generated_index(user_id: str) -> int | None:
    digits = user_id.removeprefix(GENERATED_USER_PREFIX)
    if digits == user_id or not digits.isascii() or not digits.isdigit():
        return None
    index = int(digits)
    if str(index) != digits or not 1 <= index <= GENERATED_USER_COUNT:
        return None
    return index


# --- building blocks --------------------------------------------------------------------------

_CENT = Decimal("0.01")
_BASIS_POINT = Decimal("0.0001")
_HUNDRED = Decimal(100)


def _freeze(value: Any) -> Any:
    """Read-only copy: mappings become `MappingProxyType`, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(item) for item in value)
    return value


def _frozen(content: Mapping[str, Any]) -> Json:
    """A read-only copy of one portfolio's content."""
    return MappingProxyType({key: _freeze(item) for key, item in content.items()})


def _double(value: Decimal) -> Decimal:
    """`value` the way a double prints it: no trailing zeros, no exponent, no negative zero."""
    if value == 0:
        return Decimal(0)
    value = value.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return value


def _units(rng: random.Random, low: int, high: int, places: int) -> Decimal:
    """A random number with `places` decimals, from `low` to `high` in those units."""
    return Decimal(rng.randint(low, high)).scaleb(-places)


def _address(*parts: object) -> str:
    """A deterministic EVM-style address (0x + 40 hex) named by `parts`."""
    seed = ":".join(str(part) for part in parts).encode()
    return "0x" + hashlib.sha256(seed).hexdigest()[:40]


def _percentage(part: Decimal, whole: Decimal) -> Decimal:
    return _double((part / whole * _HUNDRED).quantize(_BASIS_POINT)) if whole else Decimal(0)


def _market_value(item: Mapping[str, Any]) -> Decimal:
    value = item.get("marketValue")
    return value if isinstance(value, Decimal) else Decimal(0)


def _sum_market_values(items: Sequence[Mapping[str, Any]]) -> Decimal:
    return _double(sum((_market_value(item) for item in items), Decimal(0)))


# --- the reference doc's portfolio: alice ------------------------------------------------------


def _doc_eth(*, distribution: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The reference doc's ETH position (identical in its CEX and self-custody examples)."""
    position: dict[str, Any] = {
        "portfolioPercentage": Decimal("11.4018"),
        "totalReturn": Decimal("-592.6533"),
        "returnPercentage": Decimal("-62.7737"),
        "companyName": "Ethereum",
        "totalDailyReturn": Decimal("-3.6081"),
        "dailyReturnPercentage": Decimal("-1.0162"),
        "marketValue": Decimal("351.457"),
        "lastPrice": Decimal("1350.07"),
        "symbol": "ETH",
        "amount": Decimal("0.260325"),
        "costBasis": Decimal("3626.66"),
    }
    if distribution is not None:
        position["distribution"] = distribution
    return position


def _alice_equities() -> list[dict[str, Any]]:
    return [
        {
            "portfolioPercentage": Decimal("0.44"),
            "totalReturn": Decimal("-1.3"),
            "returnPercentage": Decimal("-8.67"),
            "companyName": "Tesla",
            "totalDailyReturn": Decimal("0.45"),
            "dailyReturnPercentage": Decimal("3.45"),
            "marketValue": Decimal("13.69"),
            "lastPrice": Decimal("214.44"),
            "symbol": "TSLA",
            "amount": Decimal("0.063"),
            "costBasis": Decimal("234.8"),
        },
        {
            "portfolioPercentage": Decimal("38.98"),
            "totalReturn": Decimal("144.97"),
            "returnPercentage": Decimal("13.71"),
            "companyName": "Apple",
            "totalDailyReturn": Decimal("31.65"),
            "dailyReturnPercentage": Decimal("2.7"),
            "marketValue": Decimal("1201.67"),
            "lastPrice": Decimal("147.27"),
            "symbol": "AAPL",
            "amount": Decimal("8.15"),
            "costBasis": Decimal("129.5"),
        },
    ]


def _alice_cryptocurrencies() -> list[dict[str, Any]]:
    doge = {
        "portfolioPercentage": Decimal("7.8"),
        "totalReturn": Decimal("-85.45"),
        "returnPercentage": Decimal("-26.2"),
        "companyName": "Dogecoin",
        "totalDailyReturn": Decimal("-2.45"),
        "dailyReturnPercentage": Decimal("-1.0103"),
        "marketValue": Decimal("240.5754"),
        "lastPrice": Decimal("0.05977"),
        "symbol": "DOGE",
        "amount": Decimal("4025.02"),
        "costBasis": Decimal("0.081"),
    }
    self_custody = [
        {
            "caipNetworkId": "eip155:1",
            "address": ALICE_SELF_CUSTODY_ADDRESS,
            "amount": Decimal("0.16"),
        },
        {
            "caipNetworkId": "eip155:42161",
            "address": ALICE_SELF_CUSTODY_ADDRESS,
            "amount": Decimal("0.100325"),
        },
    ]
    return [_doc_eth(), doge, _doc_eth(distribution=self_custody)]


def _nft(
    *,
    collection: str,
    symbol: str,
    token_id: int,
    contract_type: str,
    blockchain: str,
    amount: Decimal,
    cost_basis: Decimal,
    price: Decimal,
    sales: int,
) -> dict[str, Any]:
    """An `NftPositionWithMarketValues`; `marketValue` = amount x price, `costBasis` per unit."""
    slug = collection.lower().replace(" ", "-")
    return {
        "amount": amount,
        "costBasis": cost_basis,
        "contractAddress": _address("mesh-nft-contract", blockchain, slug),
        "paymentTokenSymbol": _NATIVE_TOKEN[blockchain],
        "name": f"{collection} #{token_id}",
        "description": f"Token {token_id} of the {collection} sandbox collection.",
        "imageUrl": f"https://nft.sandbox.invalid/{slug}/{token_id}.png",
        "imageOriginalUrl": None,
        "animationUrl": None,
        "backgroundColor": None,
        "marketplaceId": None,
        "tokenId": str(token_id),
        "numberOfSales": sales,
        "contractType": contract_type,
        "contractName": collection,
        "contractSchemaName": contract_type,
        "contractSymbol": symbol,
        "contractDescription": None,
        "marketplacePermalink": None,
        "contractExternalLink": None,
        "creatorAddress": _address("mesh-nft-creator", slug),
        "currentOffer": None,
        "lastSale": None,
        "blockchain": blockchain,
        "addressExplorerLink": None,
        "twitterUsername": None,
        "marketValue": _double((amount * price).quantize(_CENT)),
        "portfolioPercentage": None,  # set once the portfolio's total is known
    }


_NATIVE_TOKEN = {"ethereum": "ETH", "polygon": "MATIC", "klaytn": "KLAY"}


def _alice_nfts() -> list[dict[str, Any]]:
    return [
        _nft(
            collection="Sandbox Punks",
            symbol="SPUNK",
            token_id=7,
            contract_type="ERC721",
            blockchain="ethereum",
            amount=Decimal(1),
            cost_basis=Decimal("1250.5"),
            price=Decimal("1420.75"),
            sales=3,
        ),
        _nft(
            collection="Sandbox Badges",
            symbol="SBADGE",
            token_id=3,
            contract_type="ERC1155",
            blockchain="ethereum",
            amount=Decimal(3),
            cost_basis=Decimal(15),
            price=Decimal("32.1"),
            sales=12,
        ),
    ]


def _set_nft_percentages(nfts: list[dict[str, Any]], total: Decimal) -> None:
    for nft in nfts:
        nft["portfolioPercentage"] = _percentage(nft["marketValue"], total)


@functools.cache
def _alice() -> Json:
    equities = _alice_equities()
    cryptocurrencies = _alice_cryptocurrencies()
    nfts = _alice_nfts()
    equities_value = Decimal("1934.78")  # the doc's, verbatim
    cryptocurrencies_value = _sum_market_values(cryptocurrencies)
    nfts_value = _sum_market_values(nfts)
    _set_nft_percentages(nfts, equities_value + cryptocurrencies_value + nfts_value)
    return _frozen(
        {
            "portfolioCostBasis": Decimal("1819.9"),
            "actualPortfolioPerformance": Decimal("6.1"),
            "equitiesValue": equities_value,
            "cryptocurrenciesValue": cryptocurrencies_value,
            "nftsValue": nfts_value,
            "equityPositions": equities,
            "cryptocurrencyPositions": cryptocurrencies,
            "nftPositions": nfts,
        }
    )


# --- a margin account: carol -------------------------------------------------------------------


@functools.cache
def _carol() -> Json:
    short_gme = {
        "symbol": "GME",
        "companyName": "GameStop",
        "amount": Decimal(-10),
        "costBasis": Decimal("24.1"),
        "marketValue": Decimal("-231.5"),
        "lastPrice": Decimal("23.15"),
        "portfolioPercentage": Decimal("-76.71"),
        "totalReturn": Decimal("9.5"),
        "returnPercentage": Decimal("3.94"),
        "totalDailyReturn": Decimal("-4.2"),
        "dailyReturnPercentage": Decimal("-1.78"),
    }
    ford = {
        "symbol": "F",
        "companyName": "Ford Motor",
        "amount": Decimal(40),
        "costBasis": Decimal("13.2"),
        "marketValue": Decimal("430.8"),
        "lastPrice": Decimal("10.77"),
        "portfolioPercentage": Decimal("142.74"),
        "totalReturn": Decimal("-97.2"),
        "returnPercentage": Decimal("-18.41"),
        "totalDailyReturn": Decimal("-1.6"),
        "dailyReturnPercentage": Decimal("-0.37"),
    }
    sol = {
        "symbol": "SOL",
        "companyName": "Solana",
        "amount": Decimal("0.75"),
        "costBasis": Decimal(180),
        "marketValue": Decimal("102.5025"),
        "lastPrice": Decimal("136.67"),
        "portfolioPercentage": Decimal("33.96"),
        "totalReturn": Decimal("-32.4975"),
        "returnPercentage": Decimal("-24.07"),
        "totalDailyReturn": Decimal("-2.05"),
        "dailyReturnPercentage": Decimal("-1.96"),
    }
    # equitiesValue and nftsValue left out: the spec does not require them.
    return _frozen(
        {
            "portfolioCostBasis": Decimal("904.5"),
            "actualPortfolioPerformance": Decimal("-3.2"),
            "cryptocurrenciesValue": Decimal("102.5025"),
            "equityPositions": [short_gme, ford],
            "cryptocurrencyPositions": [sol],
            "nftPositions": [],
        }
    )


# --- generated portfolios ----------------------------------------------------------------------


def _position(
    *,
    symbol: str,
    name: str | None,
    company_name: str | None,
    amount: Decimal,
    last_price: Decimal,
    cost_basis: Decimal,
    daily_return_percentage: Decimal,
    distribution: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A `PositionWithReturn` whose returns follow from its amount, prices and cost basis."""
    market_value = (amount * last_price).quantize(_CENT)
    invested = amount * cost_basis
    total_return = ((last_price - cost_basis) * amount).quantize(_CENT)
    position: dict[str, Any] = {
        "name": name,
        "symbol": symbol,
        "amount": _double(amount),
        "costBasis": _double(cost_basis),
        "marketValue": _double(market_value),
        "lastPrice": _double(last_price),
        "portfolioPercentage": None,  # set once the portfolio's total is known
        "totalReturn": _double(total_return),
        "returnPercentage": _percentage(total_return, invested) if invested else None,
        "companyName": company_name,
        "totalDailyReturn": _double(
            (market_value * daily_return_percentage / _HUNDRED).quantize(_CENT)
        ),
        "dailyReturnPercentage": _double(daily_return_percentage),
    }
    if distribution is not None:
        position["distribution"] = distribution
    return position


def _portfolio(
    equities: list[dict[str, Any]],
    cryptocurrencies: list[dict[str, Any]],
    nfts: list[dict[str, Any]],
) -> Json:
    """A `B2BPortfolioModel` whose totals, percentages and performance follow from its
    positions: each value is the sum of its list's `marketValue`s."""
    equities_value = _sum_market_values(equities)
    cryptocurrencies_value = _sum_market_values(cryptocurrencies)
    nfts_value = _sum_market_values(nfts)
    total = equities_value + cryptocurrencies_value + nfts_value
    for position in [*equities, *cryptocurrencies, *nfts]:
        position["portfolioPercentage"] = _percentage(_market_value(position), total)
    invested = sum(
        (p["amount"] * p["costBasis"] for p in [*equities, *cryptocurrencies, *nfts]),
        Decimal(0),
    )
    cost_basis = invested.quantize(_CENT)
    return _frozen(
        {
            "portfolioCostBasis": _double(cost_basis) if cost_basis else None,
            "actualPortfolioPerformance": (
                _percentage(total - cost_basis, cost_basis) if cost_basis else None
            ),
            "equitiesValue": equities_value,
            "cryptocurrenciesValue": cryptocurrencies_value,
            "nftsValue": nfts_value,
            "equityPositions": equities,
            "cryptocurrencyPositions": cryptocurrencies,
            "nftPositions": nfts,
        }
    )


@functools.cache
def _bob() -> Json:
    msft = _position(
        symbol="MSFT",
        name="Microsoft Corp.",
        company_name="Microsoft",
        amount=Decimal("12.5"),
        last_price=Decimal("415.32"),
        cost_basis=Decimal("380.1"),
        daily_return_percentage=Decimal("0.4"),
    )
    return _portfolio([msft], [], [])


_NETWORKS = ("eip155:1", "eip155:10", "eip155:137", "eip155:8453", "eip155:42161")
_BLOCKCHAINS = ("ethereum", "polygon", "klaytn")


def _random_equity(rng: random.Random, index: int) -> dict[str, Any]:
    last_price = _units(rng, 500, 99_999, 2)
    return _position(
        symbol=f"SBE{index:03d}",
        name=None,
        company_name=f"Sandbox Industries {index}",
        amount=_units(rng, 1_000, 999_999, rng.randint(2, 4)),
        last_price=last_price,
        cost_basis=(last_price * rng.randint(50, 150) / _HUNDRED).quantize(last_price),
        daily_return_percentage=_units(rng, -800, 800, 2),
    )


def _random_cryptocurrency(
    rng: random.Random, owner: str, index: int, *, self_custody: bool
) -> dict[str, Any]:
    places = rng.randint(3, 6)
    units = rng.randint(1_000, 9_999_999)
    amount = Decimal(units).scaleb(-places)
    last_price = _units(rng, 100, 9_999_999, rng.randint(3, 5))
    distribution = None
    if self_custody:
        first, second = rng.sample(_NETWORKS, 2)
        part = rng.randint(1, units - 1)
        address = _address("mesh-wallet", owner)
        distribution = [
            {
                "caipNetworkId": first,
                "address": address,
                "amount": _double(Decimal(part).scaleb(-places)),
            },
            {
                "caipNetworkId": second,
                "address": address,
                "amount": _double(Decimal(units - part).scaleb(-places)),
            },
        ]
    return _position(
        symbol=f"SBC{index:03d}",
        name=f"Sandbox Coin {index}",
        company_name=f"Sandbox Coin {index}",
        amount=amount,
        last_price=last_price,
        cost_basis=(last_price * rng.randint(50, 150) / _HUNDRED).quantize(last_price),
        daily_return_percentage=_units(rng, -1500, 1500, 2),
        distribution=distribution,
    )


def _random_nft(rng: random.Random, index: int) -> dict[str, Any]:
    erc721 = index % 2 == 0
    price = _units(rng, 500, 5_000_000, 2)
    return _nft(
        collection=f"Sandbox Collection {index % 7}",
        symbol=f"SCOL{index % 7}",
        token_id=index,
        contract_type="ERC721" if erc721 else "ERC1155",
        blockchain=_BLOCKCHAINS[index % len(_BLOCKCHAINS)],
        amount=Decimal(1) if erc721 else Decimal(rng.randint(2, 10)),
        cost_basis=_double((price * rng.randint(40, 160) / _HUNDRED).quantize(_CENT)),
        price=_double(price),
        sales=rng.randint(0, 40),
    )


def _random_portfolio(
    rng: random.Random, owner: str, equities: int, cryptocurrencies: int, nfts: int
) -> Json:
    return _portfolio(
        [_random_equity(rng, i) for i in range(1, equities + 1)],
        [
            _random_cryptocurrency(rng, owner, i, self_custody=i % 4 == 0)
            for i in range(1, cryptocurrencies + 1)
        ],
        [_random_nft(rng, i) for i in range(1, nfts + 1)],
    )


@functools.cache
def _whale() -> Json:
    rng = random.Random(0x3E5)
    return _random_portfolio(rng, WHALE, WHALE_EQUITIES, WHALE_CRYPTOCURRENCIES, WHALE_NFTS)


@functools.cache
def _generated(index: int) -> Json:
    rng = random.Random(100_000 + index)
    return _random_portfolio(
        rng, generated_user(index), rng.randint(0, 3), rng.randint(1, 5), rng.randint(0, 2)
    )


def _null_lists() -> Json:
    return _frozen(
        {
            "portfolioCostBasis": None,
            "actualPortfolioPerformance": None,
            "equitiesValue": Decimal(0),
            "cryptocurrenciesValue": Decimal(0),
            "nftsValue": Decimal(0),
            "equityPositions": None,
            "cryptocurrencyPositions": None,
            "nftPositions": None,
        }
    )


#: The content answered for a user Mesh knows nothing about.
EMPTY_CONTENT: Json = _frozen(
    {
        "portfolioCostBasis": None,
        "actualPortfolioPerformance": None,
        "equitiesValue": Decimal(0),
        "cryptocurrenciesValue": Decimal(0),
        "nftsValue": Decimal(0),
        "equityPositions": [],
        "cryptocurrencyPositions": [],
        "nftPositions": [],
    }
)

_NAMED: Mapping[str, Callable[[], Json]] = {
    ALICE: _alice,
    BOB: _bob,
    CAROL: _carol,
    WHALE: _whale,
    NULL_LISTS_USER: functools.cache(_null_lists),
}
