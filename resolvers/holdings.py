"""The per-account connections (`holdings`, `positions`), `providers` and what failed of an
account as a whole (`errors`), for every source.

Arguments are checked here, before any upstream call; then the account's source does the work.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers import algorand, calico, cardano, mesh
from resolvers.accounts import check_custodial_access
from resolvers.context import RequestContext
from resolvers.pagination import Connection, Page, Window
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.query import HoldingQuery
from resolvers.records import (
    AccountRecord,
    HoldingRecord,
    PositionKind,
    PositionRecord,
    ProviderRecord,
)
from sources import Source

__all__ = [
    "resolve_account_problems",
    "resolve_holdings",
    "resolve_positions",
    "resolve_providers",
]


def _window(context: RequestContext, first: int | None, after: str | None) -> Window:
    options = context.options
    return Window.of(first, after, default=options.default_first, maximum=options.max_first)


async def resolve_holdings(
    context: RequestContext,
    account: AccountRecord,
    first: int | None,
    after: str | None,
    query: HoldingQuery,
    *,
    count: bool = True,
) -> Page[HoldingRecord]:
    """`Account.holdings`: one page, in the source's stable order; `count`: whether
    `totalCount` is asked (where counting costs a request, it is skipped when not)."""
    window = _window(context, first, after)
    if account.custodial:
        check_custodial_access(context, account.source, account.address)
    if account.source is Source.ALGORAND:
        return await algorand.holdings(context, account, window, query, count=count)
    if account.source is Source.CARDANO:
        return await cardano.holdings(context, account, window, query)
    if account.source is Source.CALICO:
        return await calico.holdings(context, account, window, query)
    return await mesh.holdings(context, account, window, query)


async def resolve_positions(
    context: RequestContext,
    account: AccountRecord,
    first: int | None,
    after: str | None,
    kind: PositionKind | None,
) -> Page[PositionRecord]:
    """`Account.positions`: Mesh's valued positions; other sources have none."""
    window = _window(context, first, after)
    if account.source is not Source.MESH:
        return Connection.empty()
    return await mesh.positions(context, account, window, kind)


async def resolve_providers(
    context: RequestContext, account: AccountRecord
) -> Sequence[ProviderRecord]:
    """`Account.providers`: the chain for on-chain accounts, the connected ones for Calico.

    Mesh's aggregated portfolio does not say which brokerage holds a position, so a Mesh
    account lists none rather than guessing.
    """
    if account.source in CHAIN_PROVIDERS:
        return [CHAIN_PROVIDERS[account.source]]
    if account.source is Source.CALICO:
        check_custodial_access(context, account.source, account.address)
        listed, _ = await calico.providers(context, account)
        return listed
    check_custodial_access(context, account.source, account.address)
    return []


async def resolve_account_problems(
    context: RequestContext, account: AccountRecord
) -> Sequence[Exception]:
    """`Account.errors`: what failed of the account as a whole, beside its lists' own
    failures: each provider its source could not read (Calico's PROVIDER_ERRORs), or the
    failure to list its providers. Only Calico's providers are read; the other sources' are
    known without a call (their chain, or none), so nothing of them fails here."""
    if account.custodial:
        check_custodial_access(context, account.source, account.address)
    if account.source is not Source.CALICO:
        return []
    try:
        _, failed = await calico.providers(context, account)
    except Exception as error:  # the listing failing is itself what failed of the account
        return [error]
    return failed
