"""Calico holdings, normalised: one user's exchange and wallet positions, with per-provider
failures kept as soft errors beside the holdings that did come back.

Calls use the caller's own Calico token (`X-Calico-Token`). Filters go to Calico natively
(`asset_symbols`, `provider_ids`). Pagination follows Calico's cursor with a fixed page size: a
position is (Calico cursor of the page, items of it already yielded).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from resolvers.accounts import resolve_account
from resolvers.chains import caip2_of
from resolvers.context import RequestContext
from resolvers.errors import ProviderFailed, ScanBudgetSpent, Unauthenticated
from resolvers.holding_query import HoldingQuery
from resolvers.numbers import multiply
from resolvers.pagination import Page, Skipped, Slice, Window, walk
from resolvers.providers import provider
from resolvers.records import (
    AccountRecord,
    AssetKind,
    AssetRecord,
    HoldingRecord,
    HoldingsRead,
    ProviderRecord,
)
from resolvers.slots import SourceSlot
from sources import Source
from sources.calico.client import CalicoClient
from sources.calico.loaders import AssetsKey, CalicoLoaders
from sources.calico.records import AssetPosition, ProviderFailure
from sources.errors import UpstreamBadResponse
from sources.parsing import Rejected

__all__ = [
    "MAX_LISTED_ASSETS",
    "SLOT",
    "Calico",
    "CalicoUsers",
    "account_problems",
    "asset_node",
    "asset_record",
    "holding_node",
    "holdings",
    "providers",
    "read_all",
]


@dataclass(frozen=True, slots=True)
class Calico:
    """What the source opened: Calico's client and the asset page size."""

    client: CalicoClient
    page_size: int


@dataclass
class CalicoUsers:
    """One request's Calico loaders: a set per user token (a request has one user)."""

    client: CalicoClient
    _by_token: dict[str, CalicoLoaders] = field(default_factory=dict)

    def of_user(self, token: str) -> CalicoLoaders:
        loaders = self._by_token.get(token)
        if loaders is None:
            loaders = self._by_token[token] = CalicoLoaders.create(self.client, token)
        return loaders


SLOT = SourceSlot(Source.CALICO, Calico, lambda state: CalicoUsers(state.client))

_Position = tuple[str | None, int]

#: The most assets `providers` reads for one user before calling Calico's answer absurd.
MAX_LISTED_ASSETS = 10_000


def asset_record(symbol: str, chain: str | None) -> AssetRecord:
    """A custodial asset: known by its symbol and, for wallets, its chain."""
    return AssetRecord(
        source=Source.CALICO,
        key=(symbol, chain or ""),
        kind=AssetKind.FUNGIBLE,
        symbol=symbol,
        chain_id=caip2_of(chain),
    )


def _holding_record(
    account: AccountRecord, position: AssetPosition, answered: datetime | None
) -> HoldingRecord:
    price = position.price_in_usd
    return HoldingRecord(
        account=account,
        asset=asset_record(position.asset_symbol, position.chain),
        key=(
            position.provider_id,
            position.asset_symbol,
            position.chain or "",
            position.wallet_address_redacted or "",
        ),
        amount=position.asset_holdings,
        staked_amount=position.staked_holdings,
        price_usd=price,
        value_usd=multiply(position.asset_holdings, price) if price is not None else None,
        provider=provider(position.provider_id),
        wallet_address=position.wallet_address_redacted,
        # Calico's own time of the read where it gives one, else when Calico answered.
        fetched_at=position.time_fetched or answered,
    )


def _token(context: RequestContext) -> str:
    token = context.caller.require().calico_token
    if token is None:
        raise Unauthenticated("Calico data needs the user's Calico access token in X-Calico-Token")
    return token


def _fetcher(
    context: RequestContext,
    account: AccountRecord,
    symbols: tuple[str, ...],
    provider_ids: tuple[str, ...],
    failures: dict[str, ProviderFailure],
) -> Callable[[_Position], Awaitable[Slice[HoldingRecord]]]:
    loader = SLOT.loaders(context).of_user(_token(context)).assets
    size = SLOT.state(context).page_size

    async def fetch(position: _Position) -> Slice[HoldingRecord]:
        cursor, skip = position
        key = AssetsKey.of(symbols=symbols, provider_ids=provider_ids, cursor=cursor, limit=size)
        page = await loader.load(key)
        for failure in page.errors:
            failures.setdefault(failure.provider_id, failure)
        entries = page.entries
        following = (page.next_cursor, 0) if page.next_cursor else None
        last = len(entries) - 1

        def after(index: int) -> _Position:
            # After a page's last asset, resume at Calico's next cursor: no refetch of this page.
            if index == last and following is not None:
                return following
            return (cursor, index + 1)

        def item(entry: AssetPosition | Rejected) -> HoldingRecord | Skipped:
            if isinstance(entry, Rejected):
                return Skipped(entry.error)
            return _holding_record(account, entry, page.fetched_at)

        items = ((item(entries[index]), after(index)) for index in range(skip, len(entries)))
        return Slice(items, following)

    return fetch


def _start(value: object) -> _Position:
    if (
        isinstance(value, list)
        and len(value) == 2
        and (value[0] is None or isinstance(value[0], str))
        and isinstance(value[1], int)
    ):
        return (value[0], max(0, value[1]))
    return (None, 0)


async def holdings(
    context: RequestContext, account: AccountRecord, window: Window, query: HoldingQuery
) -> Page[HoldingRecord]:
    """One page of the user's Calico assets; failing providers become PROVIDER_ERRORs.

    Symbols and providers go to Calico (`asset_symbols`, `provider_ids`); kinds, a minimum
    value and hiding zeros are matched here, as a bounded scan like the on-chain filters."""
    pager = query.pager(account)
    codec = context.services.cursors
    start = _start(pager.resume(codec, window, context.caller_id))
    failures: dict[str, ProviderFailure] = {}
    fetch = _fetcher(context, account, query.symbols, query.providers, failures)
    walked = await walk(
        fetch,
        start,
        window.first,
        query.keeps_extra if query.extra else None,
        page_size=SLOT.state(context).page_size,
        scan=context.scan,
    )
    problems = [ProviderFailed(Source.CALICO, f.provider_id, f.cause) for f in failures.values()]
    return pager.page(codec, window, walked, problems=problems)


async def read_all(context: RequestContext, account: AccountRecord, cap: int) -> HoldingsRead:
    """Every Calico asset of the user, in Calico's order, at most `cap` of them; failing
    providers as PROVIDER_ERROR problems."""
    failures: dict[str, ProviderFailure] = {}
    fetch = _fetcher(context, account, (), (), failures)
    walked = await walk(fetch, (None, 0), cap, page_size=SLOT.state(context).page_size)
    problems = (
        *(ProviderFailed(Source.CALICO, f.provider_id, f.cause) for f in failures.values()),
        *walked.problems,
    )
    holdings = tuple(h for h, _ in walked.items)
    return HoldingsRead(account, holdings, walked.has_next and not walked.problems, problems)


async def _listing(
    context: RequestContext, account: AccountRecord
) -> tuple[list[ProviderRecord], list[ProviderFailed]]:
    """Every provider the user has connected (those holding assets and those failing), and a
    PROVIDER_ERROR for each failing one, from all of the user's asset pages."""
    failures: dict[str, ProviderFailure] = {}
    fetch = _fetcher(context, account, (), (), failures)
    slugs: dict[str, ProviderRecord] = {}
    position: _Position = (None, 0)
    pages = math.ceil(MAX_LISTED_ASSETS / SLOT.state(context).page_size)
    for _ in range(pages):
        page = await fetch(position)
        for holding, _ in page.items:
            if isinstance(holding, HoldingRecord) and holding.provider is not None:
                slugs.setdefault(holding.provider.slug, holding.provider)
        if page.next is None:
            break
        position = page.next
    else:
        raise UpstreamBadResponse(
            Source.CALICO, f"Calico listed more than {MAX_LISTED_ASSETS} assets for one user"
        )
    for slug in failures:
        slugs.setdefault(slug, provider(slug))
    failed = [ProviderFailed(Source.CALICO, f.provider_id, f.cause) for f in failures.values()]
    return [slugs[slug] for slug in sorted(slugs)], failed


async def providers(context: RequestContext, account: AccountRecord) -> list[ProviderRecord]:
    """Every provider the user has connected: those holding assets and those failing.

    All of the user's asset pages are read (a first page of `holdings` in the same request is
    the same loader key, so it costs nothing more)."""
    listed, _ = await _listing(context, account)
    return listed


async def account_problems(context: RequestContext, account: AccountRecord) -> list[Exception]:
    """`Account.errors`: a PROVIDER_ERROR for each provider Calico could not read, or the
    failure to read the asset pages at all (the same pages, and loader keys, as `providers`)."""
    try:
        _, failed = await _listing(context, account)
    except Exception as error:  # the listing failing is itself what failed of the account
        return [error]
    return list(failed)


async def holding_node(
    context: RequestContext, account: AccountRecord, key: tuple[str, ...]
) -> HoldingRecord | None:
    """One holding by (provider, symbol, chain, wallet), asked of Calico with those filters."""
    fetch = _fetcher(context, account, (key[1],), (key[0],), {})
    walked = await walk(
        fetch,
        (None, 0),
        1,
        lambda h: h.key == key,
        page_size=SLOT.state(context).page_size,
        scan=context.scan,
    )
    if not walked.items and walked.resume is not None:
        raise ScanBudgetSpent(
            "finding this Calico holding needs more pages than this request may still read; "
            "ask for it in a request of its own"
        )
    return walked.items[0][0] if walked.items else None


async def asset_node(context: RequestContext, key: tuple[str, ...]) -> AssetRecord | None:
    """A custodial asset by (symbol, chain), as the viewer's Calico holdings show it: null when
    none of them holds it (Calico has no asset lookup; an id naming nothing names no asset)."""
    account = resolve_account(context, Source.CALICO, context.caller.require().user_id)
    fetch = _fetcher(context, account, (key[0],), (), {})
    walked = await walk(
        fetch,
        (None, 0),
        1,
        lambda h: h.asset.key == key,
        page_size=SLOT.state(context).page_size,
        scan=context.scan,
    )
    if not walked.items and walked.resume is not None:
        raise ScanBudgetSpent(
            "finding this Calico asset needs more pages than this request may still read; "
            "ask for it in a request of its own"
        )
    return walked.items[0][0].asset if walked.items else None
