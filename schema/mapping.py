"""Any node record as its GraphQL type (for `node`, `nodes` and `_entities`)."""

from __future__ import annotations

from resolvers.nodes import NodeRecord
from resolvers.records import AccountRecord, AssetRecord, HoldingRecord, PositionRecord
from schema.account import Account
from schema.asset import Asset
from schema.holding import AssetHolding
from schema.node import Node
from schema.position import Position
from schema.provider import Provider

__all__ = ["to_node"]


def to_node(record: NodeRecord | None) -> Node | None:
    if record is None:
        return None
    if isinstance(record, AccountRecord):
        return Account.of(record)
    if isinstance(record, HoldingRecord):
        return AssetHolding.of(record)
    if isinstance(record, PositionRecord):
        return Position.of(record, Account.of(record.account))
    if isinstance(record, AssetRecord):
        return Asset.of(record)
    return Provider.of(record)
