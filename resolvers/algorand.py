"""Algorand holdings (algod), normalised: ASAs with exact amounts, CAIP-19 `…/asa:<id>`.

Pagination maps straight onto algod's: `next` is the last asset id yielded (exclusive), so each
item's resume position is its own asset id, and asking for `first + 1` holdings tells whether
another page exists in one request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from resolvers.context import RequestContext
from resolvers.ids import uint64
from resolvers.numbers import from_base_units
from resolvers.pagination import Page, Slice, Window, walk
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.query import HoldingQuery
from resolvers.records import AccountRecord, AssetKind, AssetRecord, HoldingRecord
from sources import Source
from sources.algod.loaders import AccountAssetsKey
from sources.algod.records import AssetHolding, AssetParams

__all__ = ["asset_node", "asset_record", "holding_node", "holdings"]

_MAX_LIMIT = 1000  # algod's MaxAssetResults


def asset_record(chain_id: str, asset_id: int, params: AssetParams | None) -> AssetRecord:
    """An ASA; without params (destroyed) only its id and chain are known."""
    if params is None:
        kind = AssetKind.FUNGIBLE
    elif params.total == 10**params.decimals:  # ARC-3: 1 unit, possibly fractional, is an NFT
        kind = AssetKind.NFT
    else:
        kind = AssetKind.FUNGIBLE
    return AssetRecord(
        source=Source.ALGORAND,
        key=(str(asset_id),),
        kind=kind,
        symbol=params.unit_name if params else None,
        name=params.name if params else None,
        decimals=params.decimals if params else None,
        chain_id=chain_id,
        caip19=f"{chain_id}/asa:{asset_id}",
        asset_id=asset_id,
    )


def _holding_record(
    account: AccountRecord, holding: AssetHolding, fetched_at: datetime
) -> HoldingRecord:
    decimals = holding.params.decimals if holding.params else None
    return HoldingRecord(
        account=account,
        asset=asset_record(account.chain_id or "", holding.asset_id, holding.params),
        key=(str(holding.asset_id),),
        amount=from_base_units(holding.amount, decimals),
        raw_amount=holding.amount,
        is_frozen=holding.is_frozen,
        provider=CHAIN_PROVIDERS[Source.ALGORAND],
        wallet_address=account.address,
        fetched_at=fetched_at,
    )


async def holdings(
    context: RequestContext, account: AccountRecord, window: Window, query: HoldingQuery
) -> Page[HoldingRecord]:
    """One page of the account's ASA holdings, ascending asset id."""
    connection = query.connection(account)
    codec = context.services.cursors
    start = connection.resume(codec, window, context.caller_id)
    if start is not None and not (isinstance(start, str) and uint64(start) is not None):
        start = None
    limit = min(window.first + 1, _MAX_LIMIT) if query.empty else _MAX_LIMIT
    loader = context.loaders.algod.account_assets

    async def fetch(position: str | None) -> Slice[HoldingRecord]:
        page = await loader.load(AccountAssetsKey(account.address, position, limit))
        fetched_at = datetime.now(UTC)
        return Slice(
            ((_holding_record(account, h, fetched_at), str(h.asset_id)) for h in page.holdings),
            page.next_token,
        )

    walked = await walk(
        fetch, start, window.first, None if query.empty else query.keeps, page_size=limit
    )
    return connection.page(codec, window, walked)


async def holding_node(
    context: RequestContext, account: AccountRecord, asset_id: int
) -> HoldingRecord | None:
    """The account's holding of one ASA, in one request (`next` = id - 1, `limit` = 1)."""
    key = AccountAssetsKey(account.address, str(asset_id - 1) if asset_id > 0 else None, 1)
    page = await context.loaders.algod.account_assets.load(key)
    for holding in page.holdings:
        if holding.asset_id == asset_id:
            return _holding_record(account, holding, datetime.now(UTC))
    return None


async def asset_node(context: RequestContext, asset_id: int) -> AssetRecord:
    """An ASA by id. One algod no longer knows (destroyed) is its id and chain only, exactly
    as holdings of it show it."""
    info = await context.loaders.algod.asset.load(asset_id)
    chain_id = context.options.algorand_chain
    return asset_record(chain_id, asset_id, info.params if info is not None else None)
