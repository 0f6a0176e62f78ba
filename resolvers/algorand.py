"""Algorand holdings (algod), normalised: the account's ALGO balance as a `NATIVE` holding at
the head of the list (`…/slip44:283`), then its ASAs with exact amounts, CAIP-19 `…/asa:<id>`.

Pagination maps straight onto algod's: `next` is the last asset id yielded (exclusive), so each
item's resume position is its own asset id, and asking for `first + 1` holdings tells whether
another page exists in one request. The head position (`None`) is the ALGO balance followed by
the first ASA page, both asked in the same tick (so batched); the position after ALGO is `""`,
the ASAs from the start.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from resolvers.concurrency import gather_settled
from resolvers.context import RequestContext
from resolvers.derived import PerPage
from resolvers.holding_query import HoldingQuery
from resolvers.ids import uint64
from resolvers.native import NATIVE_KEY, native_asset
from resolvers.numbers import from_base_units
from resolvers.pagination import Page, Skipped, Slice, Window, walk
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.records import (
    AccountRecord,
    AssetKind,
    AssetRecord,
    HoldingRecord,
    HoldingsRead,
)
from resolvers.slots import SourceSlot
from sources import Source
from sources.algod.client import AlgodClient
from sources.algod.loaders import AccountAssetsKey, AlgodLoaders
from sources.algod.records import AccountInfo, AssetHolding, AssetHoldingsPage, AssetParams
from sources.parsing import Rejected

__all__ = [
    "MAX_PAGE",
    "SLOT",
    "Algorand",
    "asset_node",
    "asset_record",
    "holding_node",
    "holdings",
    "native_holding",
    "read_all",
]


@dataclass(frozen=True, slots=True)
class Algorand:
    """What the source opened: the node's client, the chain id of its network, and the
    records derived from the pages it read (`resolvers.derived`)."""

    client: AlgodClient
    chain_id: str
    derived: PerPage[Derived] = field(default_factory=PerPage)


SLOT = SourceSlot(Source.ALGORAND, Algorand, lambda state: AlgodLoaders.create(state.client))

MAX_PAGE = 1000
"""algod's MaxAssetResults: the most holdings one assets page holds."""
_AFTER_NATIVE = ""
"""The position right after the ALGO balance: the ASAs from the first."""


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
        # algod sends a name that is not printable UTF-8 only as `name-b64`: kept as bytes.
        name_hex=params.name_raw.hex() if params and params.name_raw else None,
    )


def _native_record(account: AccountRecord, info: AccountInfo) -> HoldingRecord:
    asset = native_asset(Source.ALGORAND, "ALGO", account.chain_id or "")
    return HoldingRecord(
        account=account,
        asset=asset,
        key=NATIVE_KEY,
        amount=from_base_units(info.amount, asset.decimals),
        raw_amount=info.amount,
        provider=CHAIN_PROVIDERS[Source.ALGORAND],
        wallet_address=account.address,
        fetched_at=info.fetched_at,
        round=info.round,
    )


def _holding_record(
    account: AccountRecord, holding: AssetHolding, fetched_at: datetime | None, round_: int
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
        round=round_,
    )


Derived = tuple[tuple[HoldingRecord | Rejected, str], ...]
"""A page's entries for one account: each holding's record (or the item that could not be
read) with the position that resumes right after it."""


def _derive(account: AccountRecord, page: AssetHoldingsPage, next_token: str | None) -> Derived:
    derived: list[tuple[HoldingRecord | Rejected, str]] = []
    resume = next_token
    for holding in page.entries:
        # What `resume_after` gives for the entries up to this one, in one pass.
        if isinstance(holding, Rejected):
            if holding.label is not None and holding.label.isdigit():
                resume = holding.label
            derived.append((holding, resume or _AFTER_NATIVE))
        else:
            resume = str(holding.asset_id)
            record = _holding_record(account, holding, page.fetched_at, page.round)
            derived.append((record, resume))
    return tuple(derived)


def _fetcher(
    context: RequestContext, account: AccountRecord, limit: int
) -> Callable[[str | None], Awaitable[Slice[HoldingRecord]]]:
    assets = SLOT.loaders(context).account_assets
    balances = SLOT.loaders(context).account
    derived = SLOT.state(context).derived

    async def fetch(position: str | None) -> Slice[HoldingRecord]:
        next_token = None if position in (None, _AFTER_NATIVE) else position
        page_load = assets.load(AccountAssetsKey(account.address, next_token, limit))
        head: list[tuple[HoldingRecord | Skipped, str | None]] = []
        if position is None:
            # Both loads are asked in this tick, so each loader sends them in one batch.
            info, page = await gather_settled(balances.load(account.address), page_load)
            head.append((_native_record(account, info), _AFTER_NATIVE))
        else:
            page = await page_load
        # A page from the public cache is the same object request after request: its records,
        # ids and positions are made once (a rejected item's error is a copy per request).
        entries = derived.get(
            page, (account, next_token), lambda: _derive(account, page, next_token)
        )
        asas = (
            (Skipped(item.error) if isinstance(item, Rejected) else item, resume)
            for item, resume in entries
        )
        return Slice(itertools.chain(head, asas), page.next_token)

    return fetch


def _start(value: object) -> str | None:
    """The position a cursor carried: the head, right after ALGO, or after an asset id."""
    if value == _AFTER_NATIVE or (isinstance(value, str) and uint64(value) is not None):
        return value
    return None


async def holdings(
    context: RequestContext,
    account: AccountRecord,
    window: Window,
    query: HoldingQuery,
    *,
    count: bool = True,
) -> Page[HoldingRecord]:
    """One page of the account's holdings: ALGO, then its ASAs by ascending asset id; an
    unfiltered list knows its `totalCount` from algod's count of the account's assets (the
    balance record, which a later page reads only when `count` asks for it)."""
    pager = query.pager(account)
    codec = context.services.cursors
    start = _start(pager.resume(codec, window, context.caller_id))
    limit = min(window.first + 1, MAX_PAGE) if query.empty else MAX_PAGE
    walking = walk(
        _fetcher(context, account, limit),
        start,
        window.first,
        None if query.empty else query.keeps,
        page_size=limit,
        scan=context.scan,
    )
    if not query.empty or (start is not None and not count):
        return pager.page(codec, window, await walking)
    # algod counts the account's assets (`total-assets-opted-in`): with ALGO, the whole list.
    # The balance is asked in the same tick as the first page, so it joins that batch.
    walked, info = await gather_settled(
        walking, SLOT.loaders(context).account.load(account.address)
    )
    total = info.total_assets_opted_in + 1
    return pager.page(codec, window, walked, total_count=total)


async def read_all(context: RequestContext, account: AccountRecord, cap: int) -> HoldingsRead:
    """ALGO and every ASA of the account, in list order, at most `cap` of them (algod pages of
    1,000: the whale's 2,500 ASAs are three requests beside the balance)."""
    walked = await walk(_fetcher(context, account, MAX_PAGE), None, cap, page_size=MAX_PAGE)
    holdings = tuple(item for item, _ in walked.items)
    return HoldingsRead(account, holdings, walked.has_next and not walked.problems, walked.problems)


async def holding_node(
    context: RequestContext, account: AccountRecord, asset_id: int
) -> HoldingRecord | None:
    """The account's holding of one ASA, in one request (`next` = id - 1, `limit` = 1); one
    algod sent malformed is its error, not "not held"."""
    key = AccountAssetsKey(account.address, str(asset_id - 1) if asset_id > 0 else None, 1)
    page = await SLOT.loaders(context).account_assets.load(key)
    for holding in page.entries:
        if isinstance(holding, Rejected):
            if holding.label == str(asset_id):
                raise holding.error
        elif holding.asset_id == asset_id:
            return _holding_record(account, holding, page.fetched_at, page.round)
    return None


async def native_holding(context: RequestContext, account: AccountRecord) -> HoldingRecord:
    """The account's ALGO balance (algod answers every valid address, 0 for one never seen)."""
    return _native_record(account, await SLOT.loaders(context).account.load(account.address))


async def asset_node(context: RequestContext, asset_id: int) -> AssetRecord:
    """An ASA by id. One algod no longer knows (destroyed) is its id and chain only, exactly
    as holdings of it show it."""
    info = await SLOT.loaders(context).asset.load(asset_id)
    chain_id = SLOT.state(context).chain_id
    return asset_record(chain_id, asset_id, info.params if info is not None else None)
