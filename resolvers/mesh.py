"""Mesh holdings and positions, normalised from one aggregated-portfolio call per user.

Mesh does not paginate: the portfolio comes whole (once per request, through the loader) and
connections are cut from it in memory; a position is an offset. Holdings list equities, then
cryptocurrencies, then NFTs, in Mesh's order. The same (kind, symbol) may appear twice (an
exchange's ETH and a self-custody ETH), so keys carry an ordinal.
"""

from __future__ import annotations

from collections import Counter

from resolvers.accounts import check_custodial_access
from resolvers.chains import caip2_of
from resolvers.context import RequestContext
from resolvers.holding_query import HoldingQuery
from resolvers.pagination import Page, Pager, Window
from resolvers.records import (
    AccountRecord,
    AssetKind,
    AssetRecord,
    DistributionRecord,
    HoldingRecord,
    HoldingsRead,
    PositionKind,
    PositionRecord,
)
from resolvers.slots import SourceSlot
from sources import Source
from sources.mesh.client import MeshClient
from sources.mesh.loaders import MeshLoaders, PortfolioKey
from sources.mesh.records import CRYPTOCURRENCY, EQUITY, NftPosition, Portfolio, Position

__all__ = [
    "SLOT",
    "asset_node",
    "holding_node",
    "holdings",
    "is_asset_key",
    "is_position_key",
    "position_node",
    "positions",
    "read_all",
]

SLOT = SourceSlot(Source.MESH, MeshClient, MeshLoaders.create)
"""Mesh's state is its client alone."""


async def _portfolio(context: RequestContext, account: AccountRecord) -> Portfolio:
    user_id = check_custodial_access(context, Source.MESH, account.address)
    return await SLOT.loaders(context).portfolio.load(PortfolioKey(user_id))


def _asset(position: Position) -> AssetRecord:
    kind = AssetKind.EQUITY if position.kind == "EQUITY" else AssetKind.FUNGIBLE
    symbol = position.symbol or ""
    return AssetRecord(
        source=Source.MESH,
        key=(position.kind, symbol),
        kind=kind,
        symbol=position.symbol,
        name=position.company_name or position.name,
    )


def _nft_asset(nft: NftPosition) -> AssetRecord:
    chain_id = caip2_of(nft.blockchain)
    standard = (nft.contract_type or "").lower()
    caip19 = None
    if chain_id and nft.contract_address and nft.token_id and standard in ("erc721", "erc1155"):
        caip19 = f"{chain_id}/{standard}:{nft.contract_address.lower()}/{nft.token_id}"
    return AssetRecord(
        source=Source.MESH,
        key=("NFT", nft.blockchain or "", nft.contract_address or "", nft.token_id or ""),
        kind=AssetKind.NFT,
        symbol=nft.contract_symbol,
        name=nft.name,
        decimals=0,
        chain_id=chain_id,
        caip19=caip19,
    )


def _keyed_positions(portfolio: Portfolio) -> list[tuple[tuple[str, ...], Position]]:
    seen: Counter[tuple[str, str]] = Counter()
    keyed: list[tuple[tuple[str, ...], Position]] = []
    for position in (*portfolio.equity_positions, *portfolio.cryptocurrency_positions):
        base = (position.kind, position.symbol or "")
        keyed.append(((*base, str(seen[base])), position))
        seen[base] += 1
    return keyed


def _keyed_nfts(portfolio: Portfolio) -> list[tuple[tuple[str, ...], NftPosition]]:
    seen: Counter[tuple[str, ...]] = Counter()
    keyed: list[tuple[tuple[str, ...], NftPosition]] = []
    for nft in portfolio.nft_positions:
        base = ("NFT", nft.blockchain or "", nft.contract_address or "", nft.token_id or "")
        keyed.append(((*base, str(seen[base])), nft))
        seen[base] += 1
    return keyed


def holding_records(account: AccountRecord, portfolio: Portfolio) -> list[HoldingRecord]:
    """Every position as a holding: amount, last price and market value; a self-custody
    position's distribution networks as its `chains`."""
    fetched_at = portfolio.fetched_at
    records = [
        HoldingRecord(
            account=account,
            asset=_asset(position),
            key=key,
            amount=position.amount,
            price_usd=position.last_price,
            value_usd=position.market_value,
            fetched_at=fetched_at,
            chains=tuple(
                sorted({d.caip_network_id for d in position.distribution if d.caip_network_id})
            ),
        )
        for key, position in _keyed_positions(portfolio)
    ]
    records.extend(
        HoldingRecord(
            account=account,
            asset=_nft_asset(nft),
            key=key,
            amount=nft.amount,
            value_usd=nft.market_value,
            fetched_at=fetched_at,
        )
        for key, nft in _keyed_nfts(portfolio)
    )
    return records


def position_records(account: AccountRecord, portfolio: Portfolio) -> list[PositionRecord]:
    """Every position with its cost basis, returns and (self-custody) distribution."""
    records = [
        PositionRecord(
            account=account,
            key=key,
            kind=PositionKind(position.kind),
            amount=position.amount,
            symbol=position.symbol,
            name=position.company_name or position.name,
            cost_basis=position.cost_basis,
            market_value=position.market_value,
            last_price=position.last_price,
            portfolio_percentage=position.portfolio_percentage,
            total_return=position.total_return,
            return_percentage=position.return_percentage,
            total_daily_return=position.total_daily_return,
            daily_return_percentage=position.daily_return_percentage,
            distribution=tuple(
                DistributionRecord(d.caip_network_id, d.address, d.amount)
                for d in position.distribution
            ),
        )
        for key, position in _keyed_positions(portfolio)
    ]
    records.extend(
        PositionRecord(
            account=account,
            key=key,
            kind=PositionKind.NFT,
            amount=nft.amount,
            symbol=nft.contract_symbol,
            name=nft.name,
            cost_basis=nft.cost_basis,
            market_value=nft.market_value,
            portfolio_percentage=nft.portfolio_percentage,
        )
        for key, nft in _keyed_nfts(portfolio)
    )
    return records


async def holdings(
    context: RequestContext, account: AccountRecord, window: Window, query: HoldingQuery
) -> Page[HoldingRecord]:
    """One page of the portfolio as holdings; offsets count within the filtered list (the
    cursor is bound to the filter)."""
    portfolio = await _portfolio(context, account)
    records = holding_records(account, portfolio)
    listed = records if query.empty else [h for h in records if query.keeps(h)]
    pager = query.pager(account)
    return pager.slice(
        context.services.cursors, window, listed, context.caller_id, _rejected(portfolio)
    )


def _rejected(portfolio: Portfolio) -> list[Exception]:
    """The positions Mesh sent that could not be read, each its own coded error."""
    return [rejected.error for rejected in portfolio.rejected]


async def read_all(context: RequestContext, account: AccountRecord, cap: int) -> HoldingsRead:
    """Every holding of the user's Mesh portfolio (one call), at most `cap` of them; positions
    that could not be read as problems."""
    portfolio = await _portfolio(context, account)
    records = holding_records(account, portfolio)
    problems = tuple(_rejected(portfolio))
    return HoldingsRead(account, tuple(records[:cap]), len(records) > cap, problems)


async def positions(
    context: RequestContext, account: AccountRecord, window: Window, kind: PositionKind | None
) -> Page[PositionRecord]:
    """One page of the valued positions, of one kind or all."""
    pager = Pager(
        f"positions:MESH:{account.address}:{kind.value if kind else '*'}", user=account.address
    )
    portfolio = await _portfolio(context, account)
    listed = [p for p in position_records(account, portfolio) if kind is None or p.kind is kind]
    return pager.slice(
        context.services.cursors, window, listed, context.caller_id, _rejected(portfolio)
    )


def is_position_key(key: tuple[str, ...]) -> bool:
    """Whether `key` has the shape of a Mesh holding or position key (checked before the
    portfolio is read for it)."""
    if len(key) == 3:
        return key[0] in (EQUITY, CRYPTOCURRENCY) and _ordinal(key[2])
    return len(key) == 5 and key[0] == "NFT" and _ordinal(key[4])


def is_asset_key(key: tuple[str, ...]) -> bool:
    """Whether `key` has the shape of a Mesh asset key."""
    return (len(key) == 2 and key[0] in (EQUITY, CRYPTOCURRENCY)) or (
        len(key) == 4 and key[0] == "NFT"
    )


def _ordinal(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 6


async def holding_node(
    context: RequestContext, account: AccountRecord, key: tuple[str, ...]
) -> HoldingRecord | None:
    for record in holding_records(account, await _portfolio(context, account)):
        if record.key == key:
            return record
    return None


async def position_node(
    context: RequestContext, account: AccountRecord, key: tuple[str, ...]
) -> PositionRecord | None:
    for record in position_records(account, await _portfolio(context, account)):
        if record.key == key:
            return record
    return None


async def asset_node(context: RequestContext, key: tuple[str, ...]) -> AssetRecord | None:
    """A Mesh asset as the viewer's portfolio shows it (Mesh has no asset lookup)."""
    account = AccountRecord(Source.MESH, context.caller.require().user_id)
    for record in holding_records(account, await _portfolio(context, account)):
        if record.asset.key == key:
            return record.asset
    return None
