"""CALICO: one user's exchange and wallet holdings, through the Calico Platform API.

Composes `sources/calico/` (client, loaders, sandbox, `CalicoConfig`) with `resolvers/calico.py`
(normalisation, paging and per-provider failures). Calls carry the user's own Calico token
(`X-Calico-Token`); an account is the user's own.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from resolvers import calico
from resolvers.accounts import check_custodial_access
from resolvers.calico import SLOT, Calico
from resolvers.context import RequestContext
from resolvers.errors import Unauthenticated
from resolvers.holding_query import HoldingQuery, is_symbol
from resolvers.identity import Identity
from resolvers.pagination import Page, Window
from resolvers.records import AccountRecord, AssetRecord, HoldingRecord, RefreshRecord
from resolvers.sources.definition import Key, SourceDefinition, SourceOpener
from resolvers.upstream_calls import UpstreamCalls, pages
from sources import Source
from sources.calico.client import CalicoClient
from sources.calico.config import CalicoConfig

if TYPE_CHECKING:
    from sources.sandboxing import Sandbox

__all__ = ["CALICO"]


async def _open(opener: SourceOpener, config: CalicoConfig) -> Calico:
    return Calico(CalicoClient(await opener.open(config.base_url)), config.page_size)


def _sandbox() -> Sandbox:
    # Imported here: only a server that runs the sandbox loads the server side of aiohttp.
    from sources.calico.sandbox import CalicoSandbox

    return CalicoSandbox()


def _account(context: RequestContext, address: str) -> AccountRecord:
    check_custodial_access(context, Source.CALICO, address)
    if context.caller.require().calico_token is None:
        raise Unauthenticated(
            "the CALICO account needs the user's Calico access token in X-Calico-Token"
        )
    return AccountRecord(Source.CALICO, address)


def _holdings(
    context: RequestContext,
    account: AccountRecord,
    window: Window,
    query: HoldingQuery,
    *,
    count: bool,
) -> Awaitable[Page[HoldingRecord]]:
    return calico.holdings(context, account, window, query)


def _part(value: str) -> bool:
    """A chain or redacted wallet address of a Calico key (empty when Calico gave none)."""
    return value == "" or is_symbol(value)


def _holding_node(
    context: RequestContext, account: AccountRecord, key: Key
) -> Awaitable[HoldingRecord | None] | None:
    # (provider_id as Calico wrote it, symbol, chain, wallet)
    if len(key) == 4 and is_symbol(key[0]) and is_symbol(key[1]) and all(map(_part, key[2:])):
        return calico.holding_node(context, account, key)
    return None


def _asset_node(context: RequestContext, key: Key) -> Awaitable[AssetRecord | None] | None:
    if len(key) == 2 and is_symbol(key[0]) and _part(key[1]):
        return calico.asset_node(context, key)
    return None


def _viewer_account(identity: Identity) -> AccountRecord | None:
    # Only with the user's Calico token can their Calico account be read.
    return AccountRecord(Source.CALICO, identity.user_id) if identity.calico_token else None


async def _refresh(context: RequestContext, identity: Identity) -> RefreshRecord:
    """Calico re-reads the user's providers; a refusal for now (429) is an answer."""
    if identity.calico_token is None:
        raise Unauthenticated("refreshing CALICO needs the user's Calico token in X-Calico-Token")
    result = await SLOT.state(context).client.refresh(identity.calico_token)
    account = AccountRecord(Source.CALICO, identity.user_id)
    return RefreshRecord(Source.CALICO, result.accepted, result.retry_after_seconds, account)


def _calls(config: CalicoConfig) -> UpstreamCalls:
    """ceil((first + 1) / page) asset pages of CALICO_PAGE_SIZE, one more after a cursor;
    `providers` reads every asset page (up to 10,000 assets); the dearest node is a holding,
    found by a walk for one item (two pages and the part-way one)."""
    size = config.page_size

    def holdings(first: int, resumed: bool, filtered: bool) -> int:
        return pages(first + 1, size) + (1 if resumed else 0)

    return UpstreamCalls(
        holdings,
        lambda cap: pages(cap + 1, size),
        providers=pages(calico.MAX_LISTED_ASSETS, size),
        node=max(1, math.ceil(2 / max(1, size)) + 2),
        viewer=True,
    )


CALICO = SourceDefinition(
    slot=SLOT,
    description="Calico: the user's exchange and wallet holdings.",
    config=CalicoConfig,
    open=_open,
    sandbox=_sandbox,
    calls=_calls,
    account=_account,
    holdings=_holdings,
    read_all=calico.read_all,
    holding_node=_holding_node,
    asset_node=_asset_node,
    providers=calico.providers,
    account_problems=calico.account_problems,
    viewer_account=_viewer_account,
    refresh=_refresh,
)
