"""Building records from Mesh JSON: what the spec allows is read (negative numbers, missing
aggregates), what the graph does not serve is not read, and an ill-typed or absurd position costs
only itself (a coded bad response naming it); a list that is no list is the whole answer's.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from sources.errors import UpstreamBadResponse
from sources.http import decode_json
from sources.mesh import Portfolio
from sources.parsing import expect_object
from sources.source import Source

POSITION: dict[str, Any] = {
    "symbol": "ETH",
    "amount": 1,
    "marketValue": 2,
    "distribution": [{"caipNetworkId": "eip155:1", "address": "0x1", "amount": 1}],
}
CONTENT: dict[str, Any] = {
    "equitiesValue": 0,
    "cryptocurrenciesValue": 2,
    "nftsValue": 0,
    "equityPositions": [],
    "cryptocurrencyPositions": [POSITION],
    "nftPositions": [{"amount": 1, "blockchain": "ethereum"}],
}


def _portfolio(content: Any) -> Portfolio:
    return Portfolio.from_json(expect_object(Source.MESH, content, "content"))


def _with(path: list[Any], value: Any) -> dict[str, Any]:
    content = copy.deepcopy(CONTENT)
    target: Any = content
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return content


def test_the_minimal_content_is_read() -> None:
    portfolio = _portfolio(CONTENT)
    assert [str(p.amount) for p in portfolio.cryptocurrency_positions] == ["1"]
    assert portfolio.nft_positions[0].blockchain == "ethereum"


def test_doubles_decoded_from_text_stay_exact() -> None:
    text = b'{"cryptocurrencyPositions": [{"amount": 1e-7, "marketValue": 123456789.987654321}]}'
    (position,) = _portfolio(decode_json(Source.MESH, text)).cryptocurrency_positions
    assert [str(position.amount), str(position.market_value)] == ["1E-7", "123456789.987654321"]


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (["cryptocurrencyPositions", 0, "amount"], "lots", "cryptocurrencyPositions[0]"),
        (["cryptocurrencyPositions", 0, "amount"], None, "cryptocurrencyPositions[0]"),
        (["cryptocurrencyPositions", 0, "amount"], True, "cryptocurrencyPositions[0]"),
        (["cryptocurrencyPositions", 0, "symbol"], 42, "cryptocurrencyPositions[0]"),
        (["cryptocurrencyPositions", 0, "distribution"], {"amount": 1}, "distribution"),
        (["cryptocurrencyPositions", 0, "distribution", 0, "amount"], "x", "distribution"),
        (["cryptocurrencyPositions", 0], "ETH", "cryptocurrencyPositions[0]"),
        (["nftPositions", 0, "amount"], None, "nftPositions[0]"),
        (["nftPositions", 0, "tokenId"], 7, "nftPositions[0]"),
    ],
)
def test_a_position_that_cannot_be_read_costs_only_itself(
    path: list[Any], value: Any, where: str
) -> None:
    portfolio = _portfolio(_with(path, value))
    (rejected,) = portfolio.rejected
    assert rejected.error.source is Source.MESH
    assert where in rejected.error.message and str(path[-1]) in rejected.error.message
    kept = len(portfolio.cryptocurrency_positions) + len(portfolio.nft_positions)
    assert kept == 1  # the other list's position is still there


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["equityPositions"], {"symbol": "TSLA"}),
        (["cryptocurrencyPositions"], "ETH"),
    ],
)
def test_a_list_that_is_no_list_is_a_bad_response(path: list[Any], value: Any) -> None:
    with pytest.raises(UpstreamBadResponse) as caught:
        _portfolio(_with(path, value))
    assert caught.value.source is Source.MESH
    assert str(path[-1]) in caught.value.message


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["cryptocurrencyPositions", 0, "amount"], Decimal(-1)),
        (["cryptocurrencyPositions", 0, "marketValue"], Decimal("-0.5")),
        (["cryptocurrencyPositions", 0, "costBasis"], Decimal("-12")),
        (["cryptocurrencyPositions", 0, "lastPrice"], Decimal("-0.01")),
        (["cryptocurrencyPositions", 0, "portfolioPercentage"], Decimal("-76.71")),
        (["cryptocurrencyPositions", 0, "totalReturn"], Decimal("-592.6533")),
        (["cryptocurrencyPositions", 0, "distribution", 0, "amount"], Decimal(-2)),
        (["nftPositions", 0, "marketValue"], Decimal(-3)),
    ],
)
def test_a_negative_number_is_kept(path: list[Any], value: Any) -> None:
    portfolio = _portfolio(_with(path, value))
    assert portfolio.rejected == ()
    assert _at(portfolio, path) == value


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("equitiesValue", None),
        ("nftsValue", -3),
        ("cryptocurrenciesValue", "lots"),
        ("portfolioCostBasis", [1]),
        ("actualPortfolioPerformance", Decimal("1E+5000")),
    ],
)
def test_the_aggregates_are_not_read_at_all(key: str, value: Any) -> None:
    portfolio = _portfolio({**CONTENT, key: value})
    assert portfolio.rejected == ()
    assert len(portfolio.cryptocurrency_positions) == 1


def test_an_nfts_image_is_not_read() -> None:
    nft = {**CONTENT["nftPositions"][0], "imageUrl": 5, "numberOfSales": "many"}
    portfolio = _portfolio({**CONTENT, "nftPositions": [nft]})
    assert portfolio.rejected == () and portfolio.nft_positions[0].blockchain == "ethereum"


def _at(portfolio: Any, path: list[Any]) -> Any:
    """The record value a content path names (camelCase keys mapped by hand)."""
    names = {
        "cryptocurrencyPositions": "cryptocurrency_positions",
        "nftPositions": "nft_positions",
        "amount": "amount",
        "marketValue": "market_value",
        "costBasis": "cost_basis",
        "lastPrice": "last_price",
        "portfolioPercentage": "portfolio_percentage",
        "totalReturn": "total_return",
        "distribution": "distribution",
    }
    value = portfolio
    for step in path:
        value = value[step] if isinstance(step, int) else getattr(value, names[step])
    return value


def test_content_that_is_not_an_object_is_a_bad_response() -> None:
    with pytest.raises(UpstreamBadResponse):
        _portfolio([CONTENT])
