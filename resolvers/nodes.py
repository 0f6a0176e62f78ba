"""`node(id:)` and `nodes(ids:)`: any id this graph issued, resolved again with the same
access rules as the field that first returned it (custodial nodes only for their own user).

Every part of an id is checked before any upstream call: an id that could not have come from
this graph (a source this app does not serve, a key of the wrong shape for its source) is bad
input, naming the id.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TypeVar

from resolvers.accounts import resolve_account
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.holding_query import is_slug
from resolvers.ids import decode_id, not_ours
from resolvers.providers import provider
from resolvers.records import (
    AccountRecord,
    AssetRecord,
    HoldingRecord,
    PositionRecord,
    ProviderRecord,
)
from resolvers.sources.registry import Definition

__all__ = ["NodeRecord", "resolve_node", "resolve_nodes"]

NodeRecord = AccountRecord | HoldingRecord | AssetRecord | PositionRecord | ProviderRecord
T = TypeVar("T")


def _source(context: RequestContext, name: str, raw: str) -> Definition:
    definition = context.services.sources.get(name)
    if definition is None:
        raise not_ours(raw)
    return definition


def _looked_up(lookup: Awaitable[T] | None, raw: str) -> Awaitable[T]:
    """The lookup a source made of a key; None: the key cannot be one of its own."""
    if lookup is None:
        raise not_ours(raw)
    return lookup


async def resolve_node(context: RequestContext, value: str) -> NodeRecord | None:
    """The node `value` names, null when it no longer exists."""
    type_name, parts = decode_id(value)
    if type_name == "Provider" and len(parts) == 1:
        if not is_slug(parts[0]):
            raise not_ours(value)
        return provider(parts[0])
    if type_name == "Account" and len(parts) == 2:
        return resolve_account(context, _source(context, parts[0], value).source, parts[1])
    if type_name in ("AssetHolding", "Position") and len(parts) >= 3:
        source = _source(context, parts[0], value)
        lookup = source.holding_node if type_name == "AssetHolding" else source.position_node
        if lookup is None:
            raise not_ours(value)
        account = resolve_account(context, source.source, parts[1])
        return await _looked_up(lookup(context, account, parts[2:]), value)
    if type_name == "Asset" and len(parts) >= 2:
        source = _source(context, parts[0], value)
        return await _looked_up(source.asset_node(context, parts[1:]), value)
    raise not_ours(value)


def resolve_nodes(
    context: RequestContext, values: Sequence[str]
) -> list[Awaitable[NodeRecord | None]]:
    """One awaitable per id, so a bad or forbidden id fails only its own slot."""
    maximum = context.options.max_ids
    if len(values) > maximum:
        raise BadUserInput(f"ids: {len(values)} ids asked; at most {maximum} at once")
    return [resolve_node(context, value) for value in values]
