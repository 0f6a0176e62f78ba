"""ALGORAND: an address's ALGO and ASAs, through an algod node.

Composes `sources/algod/` (client, loaders, sandbox, `AlgodConfig`) with `resolvers/algorand.py`
(normalisation and paging).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from resolvers import algorand
from resolvers.algorand import SLOT, Algorand
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.holding_query import HoldingQuery
from resolvers.ids import uint64
from resolvers.native import NATIVE_KEY, native_asset
from resolvers.pagination import Page, Window
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.records import AccountRecord, AssetRecord, HoldingRecord, ProviderRecord
from resolvers.sources.definition import Key, SourceDefinition, SourceOpener, ready
from resolvers.upstream_calls import UpstreamCalls, pages
from sources import Source
from sources.algod.address import ALGORAND_CHAINS, AddressError, check_address
from sources.algod.client import AlgodClient
from sources.algod.config import AlgodConfig

if TYPE_CHECKING:
    from sources.sandboxing import Sandbox

__all__ = ["ALGORAND"]


async def _open(opener: SourceOpener, config: AlgodConfig) -> Algorand:
    http = await opener.open(config.base_url)
    client = AlgodClient(http, config.token.get_secret_value())
    return Algorand(client, ALGORAND_CHAINS[config.network])


def _sandbox() -> Sandbox:
    # Imported here: only a server that runs the sandbox loads the server side of aiohttp.
    from sources.algod.sandbox import AlgodSandbox

    return AlgodSandbox()


def _account(context: RequestContext, address: str) -> AccountRecord:
    try:
        check_address(address)
    except AddressError as exc:
        raise BadUserInput(f"address: {address!r} is not a valid Algorand address: {exc}") from None
    return AccountRecord(Source.ALGORAND, address, SLOT.state(context).chain_id)


def _holdings(
    context: RequestContext,
    account: AccountRecord,
    window: Window,
    query: HoldingQuery,
    *,
    count: bool,
) -> Awaitable[Page[HoldingRecord]]:
    return algorand.holdings(context, account, window, query, count=count)


def _asset_id(key: Key) -> int | None:
    return uint64(key[0]) if len(key) == 1 else None


def _holding_node(
    context: RequestContext, account: AccountRecord, key: Key
) -> Awaitable[HoldingRecord | None] | None:
    if key == NATIVE_KEY:
        return algorand.native_holding(context, account)
    asset_id = _asset_id(key)
    return None if asset_id is None else algorand.holding_node(context, account, asset_id)


def _asset_node(context: RequestContext, key: Key) -> Awaitable[AssetRecord | None] | None:
    if key == NATIVE_KEY:
        return ready(native_asset(Source.ALGORAND, "ALGO", SLOT.state(context).chain_id))
    asset_id = _asset_id(key)
    return None if asset_id is None else algorand.asset_node(context, asset_id)


async def _providers(context: RequestContext, account: AccountRecord) -> list[ProviderRecord]:
    return [CHAIN_PROVIDERS[Source.ALGORAND]]


def _calls(config: AlgodConfig) -> UpstreamCalls:
    """The balance (`GET /v2/accounts/{address}`) and one assets page of `first + 1` (algod
    serves up to 1,000 a page); a filter asks pages of 1,000. A node is one request."""
    most = algorand.MAX_PAGE

    def holdings(first: int, resumed: bool, filtered: bool) -> int:
        return 1 + pages(first + 1, most if filtered else min(first + 1, most))

    return UpstreamCalls(holdings, lambda cap: 1 + pages(cap, most), node=1)


ALGORAND = SourceDefinition(
    slot=SLOT,
    description="Algorand, through an algod node.",
    config=AlgodConfig,
    open=_open,
    sandbox=_sandbox,
    calls=_calls,
    account=_account,
    holdings=_holdings,
    read_all=algorand.read_all,
    holding_node=_holding_node,
    asset_node=_asset_node,
    providers=_providers,
)
