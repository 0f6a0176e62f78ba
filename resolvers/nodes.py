"""`node(id:)` and `nodes(ids:)`: any id this graph issued, resolved again with the same
access rules as the field that first returned it (custodial nodes only for their own user)."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from resolvers import algorand, calico, cardano, mesh
from resolvers.accounts import resolve_account
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.ids import decode_id, uint64
from resolvers.providers import provider
from resolvers.records import (
    AccountRecord,
    AssetRecord,
    HoldingRecord,
    PositionRecord,
    ProviderRecord,
)
from sources import Source

__all__ = ["NodeRecord", "resolve_node", "resolve_nodes"]

NodeRecord = AccountRecord | HoldingRecord | AssetRecord | PositionRecord | ProviderRecord


def _not_ours(value: str) -> BadUserInput:
    shown = value if len(value) <= 80 else value[:79] + "…"
    return BadUserInput(f"id: {shown!r} is not an id this graph issued")


def _source(value: str, raw: str) -> Source:
    try:
        return Source(value)
    except ValueError:
        raise _not_ours(raw) from None


async def resolve_node(context: RequestContext, value: str) -> NodeRecord | None:
    """The node `value` names, null when it no longer exists."""
    type_name, parts = decode_id(value)
    if type_name == "Provider" and len(parts) == 1:
        return provider(parts[0])
    if type_name == "Account" and len(parts) == 2:
        return resolve_account(context, _source(parts[0], value), parts[1])
    if type_name == "AssetHolding" and len(parts) >= 3:
        account = resolve_account(context, _source(parts[0], value), parts[1])
        return await _holding(context, account, parts[2:], value) if account else None
    if type_name == "Position" and len(parts) >= 3 and parts[0] == Source.MESH.value:
        account = resolve_account(context, Source.MESH, parts[1])
        return await mesh.position_node(context, account, parts[2:]) if account else None
    if type_name == "Asset" and len(parts) >= 2:
        return await _asset(context, _source(parts[0], value), parts[1:], value)
    raise _not_ours(value)


async def _holding(
    context: RequestContext, account: AccountRecord, key: tuple[str, ...], raw: str
) -> HoldingRecord | None:
    if account.source is Source.ALGORAND:
        asset_id = uint64(key[0]) if len(key) == 1 else None
        if asset_id is None:
            raise _not_ours(raw)
        return await algorand.holding_node(context, account, asset_id)
    if account.source is Source.CARDANO:
        if len(key) != 1:
            raise _not_ours(raw)
        return await cardano.holding_node(context, account, key[0])
    if account.source is Source.CALICO:
        return await calico.holding_node(context, account, key)
    return await mesh.holding_node(context, account, key)


async def _asset(
    context: RequestContext, source: Source, key: tuple[str, ...], raw: str
) -> AssetRecord | None:
    if source is Source.ALGORAND:
        asset_id = uint64(key[0]) if len(key) == 1 else None
        if asset_id is None:
            raise _not_ours(raw)
        return await algorand.asset_node(context, asset_id)
    if source is Source.CARDANO:
        if len(key) != 1:
            raise _not_ours(raw)
        return await cardano.asset_node(context, key[0])
    if source is Source.CALICO:
        if len(key) != 2:
            raise _not_ours(raw)
        return calico.asset_record(key[0], key[1] or None)
    return await mesh.asset_node(context, key)


def resolve_nodes(
    context: RequestContext, values: Sequence[str]
) -> list[Awaitable[NodeRecord | None]]:
    """One awaitable per id, so a bad or forbidden id fails only its own slot."""
    maximum = context.options.max_ids
    if len(values) > maximum:
        raise BadUserInput(f"ids: {len(values)} ids asked; at most {maximum} at once")
    return [resolve_node(context, value) for value in values]
