"""`node(id:)` and `nodes(ids:)`: any id this graph issued, resolved again with the same
access rules as the field that first returned it (custodial nodes only for their own user).

Every part of an id is checked before any upstream call: an id that could not have come from
this graph is bad input, naming the id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence

from resolvers import algorand, calico, cardano, mesh
from resolvers.accounts import resolve_account
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.ids import decode_id, not_ours, uint64
from resolvers.native import NATIVE_KEY, native_asset
from resolvers.providers import provider
from resolvers.query import is_slug, is_symbol
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


def _source(value: str, raw: str) -> Source:
    try:
        return Source(value)
    except ValueError:
        raise not_ours(raw) from None


def _require(condition: bool, raw: str) -> None:
    if not condition:
        raise not_ours(raw)


def _calico_part(value: str) -> bool:
    """A chain or redacted wallet address of a Calico key (empty when Calico gave none)."""
    return value == "" or is_symbol(value)


async def resolve_node(context: RequestContext, value: str) -> NodeRecord | None:
    """The node `value` names, null when it no longer exists."""
    type_name, parts = decode_id(value)
    if type_name == "Provider" and len(parts) == 1:
        _require(is_slug(parts[0]), value)
        return provider(parts[0])
    if type_name == "Account" and len(parts) == 2:
        return resolve_account(context, _source(parts[0], value), parts[1])
    if type_name == "AssetHolding" and len(parts) >= 3:
        account = resolve_account(context, _source(parts[0], value), parts[1])
        return await _holding(context, account, parts[2:], value) if account else None
    if type_name == "Position" and len(parts) >= 3 and parts[0] == Source.MESH.value:
        _require(mesh.is_position_key(parts[2:]), value)
        account = resolve_account(context, Source.MESH, parts[1])
        return await mesh.position_node(context, account, parts[2:]) if account else None
    if type_name == "Asset" and len(parts) >= 2:
        return await _asset(context, _source(parts[0], value), parts[1:], value)
    raise not_ours(value)


async def _holding(
    context: RequestContext, account: AccountRecord, key: tuple[str, ...], raw: str
) -> HoldingRecord | None:
    if account.source is Source.ALGORAND:
        if key == NATIVE_KEY:
            return await algorand.native_holding(context, account)
        asset_id = uint64(key[0]) if len(key) == 1 else None
        _require(asset_id is not None, raw)
        assert asset_id is not None
        return await algorand.holding_node(context, account, asset_id)
    if account.source is Source.CARDANO:
        if key == NATIVE_KEY:
            return await cardano.native_holding(context, account)
        _require(len(key) == 1 and cardano.is_fingerprint(key[0]), raw)
        return await cardano.holding_node(context, account, key[0])
    if account.source is Source.CALICO:
        _require(
            len(key) == 4
            and is_symbol(key[0])  # Calico's provider_id, as Calico wrote it
            and is_symbol(key[1])
            and all(_calico_part(part) for part in key[2:]),
            raw,
        )
        return await calico.holding_node(context, account, key)
    _require(mesh.is_position_key(key), raw)
    return await mesh.holding_node(context, account, key)


async def _asset(
    context: RequestContext, source: Source, key: tuple[str, ...], raw: str
) -> AssetRecord | None:
    if source is Source.ALGORAND:
        if key == NATIVE_KEY:
            return native_asset(source, context.options.algorand_chain)
        asset_id = uint64(key[0]) if len(key) == 1 else None
        _require(asset_id is not None, raw)
        assert asset_id is not None
        return await algorand.asset_node(context, asset_id)
    if source is Source.CARDANO:
        if key == NATIVE_KEY:
            return native_asset(source, context.options.cardano.chain_id)
        _require(len(key) == 1 and cardano.is_fingerprint(key[0]), raw)
        return await cardano.asset_node(context, key[0])
    if source is Source.CALICO:
        _require(len(key) == 2 and is_symbol(key[0]) and _calico_part(key[1]), raw)
        return await calico.asset_node(context, key)
    _require(mesh.is_asset_key(key), raw)
    return await mesh.asset_node(context, key)


def resolve_nodes(
    context: RequestContext, values: Sequence[str]
) -> list[Awaitable[NodeRecord | None]]:
    """One awaitable per id, so a bad or forbidden id fails only its own slot."""
    maximum = context.options.max_ids
    if len(values) > maximum:
        raise BadUserInput(f"ids: {len(values)} ids asked; at most {maximum} at once")
    return [resolve_node(context, value) for value in values]
