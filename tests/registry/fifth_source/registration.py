"""The fifth source's registration: everything it provides, in one `SourceDefinition`."""

from __future__ import annotations

import re
from collections.abc import Awaitable
from dataclasses import dataclass
from decimal import Decimal

from aiodataloader import DataLoader

from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.holding_query import HoldingQuery, is_symbol
from resolvers.pagination import Page, Window
from resolvers.records import AccountRecord, AssetKind, AssetRecord, HoldingRecord, HoldingsRead
from resolvers.slots import SourceSlot
from resolvers.sources import SourceDefinition, SourceOpener
from resolvers.sources.definition import Key, ready
from resolvers.upstream_calls import UpstreamCalls
from sources.batching import one_request_per_key
from sources.loader import SharedLoader
from sources.sandboxing import Sandbox
from tests.registry.fifth_source.client import Balance, FifthClient, Wallet
from tests.registry.fifth_source.config import FifthConfig
from tests.registry.fifth_source.identity import FIFTH
from tests.registry.fifth_source.sandbox import FifthSandbox

__all__ = ["FIFTH", "FIFTH_SOURCE", "Fifth", "FifthLoaders"]

_WALLET = re.compile(r"[a-z]{1,32}")


@dataclass(frozen=True, slots=True)
class Fifth:
    """What the source opened: its client, and its page size."""

    client: FifthClient
    page_size: int


@dataclass(frozen=True, slots=True)
class FifthLoaders:
    """One request's loaders: each distinct wallet is one upstream request, all at once."""

    wallet: DataLoader[str, Wallet]

    @classmethod
    def create(cls, state: Fifth) -> FifthLoaders:
        return cls(SharedLoader(one_request_per_key(state.client.wallet)))


SLOT = SourceSlot(FIFTH, Fifth, FifthLoaders.create)


async def _open(opener: SourceOpener, config: FifthConfig) -> Fifth:
    return Fifth(FifthClient(await opener.open(config.base_url)), config.page_size)


def _sandbox() -> Sandbox:
    return FifthSandbox()


def _account(context: RequestContext, address: str) -> AccountRecord:
    if not _WALLET.fullmatch(address):
        raise BadUserInput(f"address: {address!r} is not a FIFTH wallet (1 to 32 letters a-z)")
    return AccountRecord(FIFTH, address)


def _asset(balance: Balance) -> AssetRecord:
    return AssetRecord(
        FIFTH, (balance.symbol,), AssetKind.FUNGIBLE, symbol=balance.symbol, name=balance.name
    )


async def _records(context: RequestContext, account: AccountRecord) -> list[HoldingRecord]:
    wallet = await SLOT.loaders(context).wallet.load(account.address)
    return [
        HoldingRecord(
            account=account,
            asset=_asset(balance),
            key=(balance.symbol,),
            amount=balance.amount,
            fetched_at=wallet.fetched_at,
        )
        for balance in wallet.balances or ()
    ]


async def _holdings(
    context: RequestContext,
    account: AccountRecord,
    window: Window,
    query: HoldingQuery,
    *,
    count: bool,
) -> Page[HoldingRecord]:
    records = await _records(context, account)
    listed = records if query.empty else [h for h in records if query.keeps(h)]
    pager = query.pager(account)
    return pager.slice(context.services.cursors, window, listed, context.caller_id)


async def _read_all(context: RequestContext, account: AccountRecord, cap: int) -> HoldingsRead:
    records = await _records(context, account)
    return HoldingsRead(account, tuple(records[:cap]), len(records) > cap)


async def _holding(
    context: RequestContext, account: AccountRecord, key: Key
) -> HoldingRecord | None:
    return next((h for h in await _records(context, account) if h.key == key), None)


def _holding_node(
    context: RequestContext, account: AccountRecord, key: Key
) -> Awaitable[HoldingRecord | None] | None:
    return _holding(context, account, key) if len(key) == 1 and is_symbol(key[0]) else None


def _asset_node(context: RequestContext, key: Key) -> Awaitable[AssetRecord | None] | None:
    # The upstream has no asset lookup: an asset is known by its symbol alone.
    if len(key) == 1 and is_symbol(key[0]):
        return ready(_asset(Balance(key[0], None, Decimal(0))))
    return None


FIFTH_SOURCE = SourceDefinition(
    slot=SLOT,
    description="The tests' fifth source: a wallet service of their own.",
    config=FifthConfig,
    open=_open,
    sandbox=_sandbox,
    calls=lambda config: UpstreamCalls(lambda *_: 1, lambda cap: 1, node=1),
    account=_account,
    holdings=_holdings,
    read_all=_read_all,
    holding_node=_holding_node,
    asset_node=_asset_node,
)
