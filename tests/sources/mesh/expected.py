"""Expected answers computed from `sandbox_data`'s JSON, independently of the client's parsing.

Both sides are flattened to plain dicts of strings (`str(Decimal)`, never a float), with the
camelCase-to-field mapping written out here by hand, so a record that drops, renames or rounds
a value differs from what the sandbox sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sources.mesh import Distribution, NftPosition, Portfolio, Position

__all__ = ["from_json", "from_record"]

_POSITION_FIELDS = {
    "symbol": "symbol",
    "name": "name",
    "companyName": "company_name",
    "amount": "amount",
    "costBasis": "cost_basis",
    "marketValue": "market_value",
    "lastPrice": "last_price",
    "portfolioPercentage": "portfolio_percentage",
    "totalReturn": "total_return",
    "returnPercentage": "return_percentage",
    "totalDailyReturn": "total_daily_return",
    "dailyReturnPercentage": "daily_return_percentage",
}
_NFT_FIELDS = {
    "amount": "amount",
    "name": "name",
    "contractAddress": "contract_address",
    "tokenId": "token_id",
    "contractType": "contract_type",
    "contractSymbol": "contract_symbol",
    "blockchain": "blockchain",
    "costBasis": "cost_basis",
    "marketValue": "market_value",
    "portfolioPercentage": "portfolio_percentage",
}
# The portfolio's aggregates (`equitiesValue`, ...) are not read: the graph does not serve them.


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        raise AssertionError(f"a float slipped through: {value!r}")
    return str(value)


def _flat_json(item: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, str | None]:
    return {field: _text(item.get(key)) for key, field in fields.items()}


def _flat_record(record: object, fields: Mapping[str, str]) -> dict[str, str | None]:
    return {field: _text(getattr(record, field)) for field in fields.values()}


def _json_position(item: Mapping[str, Any], kind: str) -> dict[str, Any]:
    flat: dict[str, Any] = _flat_json(item, _POSITION_FIELDS)
    flat["kind"] = kind
    flat["distribution"] = [
        (d["caipNetworkId"], d["address"], _text(d["amount"]))
        for d in item.get("distribution") or ()
    ]
    return flat


def _record_position(position: Position) -> dict[str, Any]:
    flat: dict[str, Any] = _flat_record(position, _POSITION_FIELDS)
    flat["kind"] = position.kind
    flat["distribution"] = [_record_distribution(d) for d in position.distribution]
    return flat


def _record_distribution(d: Distribution) -> tuple[str | None, str | None, str | None]:
    return (d.caip_network_id, d.address, _text(d.amount))


def from_json(content: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a portfolio record must hold, read from the sandbox's `content`."""
    if content is None:
        content = {}
    flat: dict[str, Any] = {}
    flat["equity_positions"] = [
        _json_position(p, "EQUITY") for p in content.get("equityPositions") or ()
    ]
    flat["cryptocurrency_positions"] = [
        _json_position(p, "CRYPTOCURRENCY") for p in content.get("cryptocurrencyPositions") or ()
    ]
    flat["nft_positions"] = [_flat_json(n, _NFT_FIELDS) for n in content.get("nftPositions") or ()]
    return flat


def from_record(portfolio: Portfolio) -> dict[str, Any]:
    """The same flat form, read from a record."""
    flat: dict[str, Any] = {}
    flat["equity_positions"] = [_record_position(p) for p in portfolio.equity_positions]
    flat["cryptocurrency_positions"] = [
        _record_position(p) for p in portfolio.cryptocurrency_positions
    ]
    flat["nft_positions"] = [_nft(n) for n in portfolio.nft_positions]
    return flat


def _nft(nft: NftPosition) -> dict[str, str | None]:
    return _flat_record(nft, _NFT_FIELDS)
