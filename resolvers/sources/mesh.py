"""MESH: one user's brokerage portfolio with market values, through Mesh Connect.

Composes `sources/mesh/` (client, loaders, sandbox, `MeshConfig`) with `resolvers/mesh.py`
(holdings and valued positions cut from one portfolio call per user). An account is the user's
own.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from resolvers import mesh
from resolvers.accounts import check_custodial_access
from resolvers.context import RequestContext
from resolvers.holding_query import HoldingQuery
from resolvers.identity import Identity
from resolvers.mesh import SLOT
from resolvers.pagination import Page, Window
from resolvers.records import AccountRecord, AssetRecord, HoldingRecord, PositionRecord
from resolvers.sources.definition import Key, SourceDefinition, SourceOpener
from resolvers.upstream_calls import UpstreamCalls
from sources import Source
from sources.mesh.client import MeshClient
from sources.mesh.config import MeshConfig

if TYPE_CHECKING:
    from sources.sandboxing import Sandbox

__all__ = ["MESH"]


async def _open(opener: SourceOpener, config: MeshConfig) -> MeshClient:
    return MeshClient(
        await opener.open(config.base_url),
        client_id=config.client_id.get_secret_value() if config.client_id else "",
        client_secret=config.client_secret.get_secret_value() if config.client_secret else "",
    )


def _sandbox() -> Sandbox:
    # Imported here: only a server that runs the sandbox loads the server side of aiohttp.
    from sources.mesh.sandbox import MeshSandbox

    return MeshSandbox()


def _account(context: RequestContext, address: str) -> AccountRecord:
    check_custodial_access(context, Source.MESH, address)
    return AccountRecord(Source.MESH, address)


def _holdings(
    context: RequestContext,
    account: AccountRecord,
    window: Window,
    query: HoldingQuery,
    *,
    count: bool,
) -> Awaitable[Page[HoldingRecord]]:
    return mesh.holdings(context, account, window, query)


def _holding_node(
    context: RequestContext, account: AccountRecord, key: Key
) -> Awaitable[HoldingRecord | None] | None:
    return mesh.holding_node(context, account, key) if mesh.is_position_key(key) else None


def _position_node(
    context: RequestContext, account: AccountRecord, key: Key
) -> Awaitable[PositionRecord | None] | None:
    return mesh.position_node(context, account, key) if mesh.is_position_key(key) else None


def _asset_node(context: RequestContext, key: Key) -> Awaitable[AssetRecord | None] | None:
    return mesh.asset_node(context, key) if mesh.is_asset_key(key) else None


def _viewer_account(identity: Identity) -> AccountRecord:
    return AccountRecord(Source.MESH, identity.user_id)


def _calls(config: MeshConfig) -> UpstreamCalls:
    """The whole portfolio, one request, for holdings, positions and a node alike."""
    return UpstreamCalls(lambda *_: 1, lambda cap: 1, positions=1, node=1, viewer=True)


MESH = SourceDefinition(
    slot=SLOT,
    description="Mesh Connect: the user's brokerage portfolio with market values.",
    config=MeshConfig,
    open=_open,
    sandbox=_sandbox,
    calls=_calls,
    account=_account,
    holdings=_holdings,
    read_all=mesh.read_all,
    holding_node=_holding_node,
    asset_node=_asset_node,
    positions=mesh.positions,
    position_node=_position_node,
    viewer_account=_viewer_account,
)
