"""Building records from Mesh JSON: absurd or ill-typed data is a coded bad response."""

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
    text = (
        b'{"equitiesValue": 0.1, "cryptocurrenciesValue": 1e-7, "nftsValue": 123456789.987654321}'
    )
    portfolio = _portfolio(decode_json(Source.MESH, text))
    assert [
        str(portfolio.equities_value),
        str(portfolio.cryptocurrencies_value),
        str(portfolio.nfts_value),
    ] == ["0.1", "1E-7", "123456789.987654321"]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["cryptocurrencyPositions", 0, "amount"], -1),
        (["cryptocurrencyPositions", 0, "amount"], "lots"),
        (["cryptocurrencyPositions", 0, "amount"], None),
        (["cryptocurrencyPositions", 0, "amount"], True),
        (["cryptocurrencyPositions", 0, "marketValue"], Decimal("-0.5")),
        (["cryptocurrencyPositions", 0, "symbol"], 42),
        (["cryptocurrencyPositions", 0, "distribution"], {"amount": 1}),
        (["cryptocurrencyPositions", 0, "distribution", 0, "amount"], -2),
        (["cryptocurrencyPositions", 0], "ETH"),
        (["equityPositions"], {"symbol": "TSLA"}),
        (["nftPositions", 0, "amount"], None),
        (["nftPositions", 0, "tokenId"], 7),
        (["equitiesValue"], None),
        (["nftsValue"], -3),
    ],
)
def test_ill_typed_or_absurd_data_is_a_bad_response(path: list[Any], value: Any) -> None:
    with pytest.raises(UpstreamBadResponse) as caught:
        _portfolio(_with(path, value))
    assert caught.value.source is Source.MESH
    assert str(path[-1]) in caught.value.message or "content" in caught.value.message


def test_returns_may_be_negative() -> None:
    content = _with(["cryptocurrencyPositions", 0, "totalReturn"], Decimal("-592.6533"))
    (position,) = _portfolio(content).cryptocurrency_positions
    assert str(position.total_return) == "-592.6533"


def test_content_that_is_not_an_object_is_a_bad_response() -> None:
    with pytest.raises(UpstreamBadResponse):
        _portfolio([CONTENT])
