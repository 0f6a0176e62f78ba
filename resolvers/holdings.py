"""The per-account connections (`holdings`, `positions`), `providers` and what failed of an
account as a whole (`errors`), for every source.

Arguments are checked here, before any upstream call; then the account's source does the work
(its registration, `resolvers/sources/`).
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers.accounts import check_custodial_access
from resolvers.context import RequestContext
from resolvers.holding_query import HoldingQuery
from resolvers.pagination import Page, Pager, Window
from resolvers.records import (
    AccountRecord,
    HoldingRecord,
    PositionKind,
    PositionRecord,
    ProviderRecord,
)

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
    source = context.services.sources[account.source]
    return await source.holdings(context, account, window, query, count=count)


async def resolve_positions(
    context: RequestContext,
    account: AccountRecord,
    first: int | None,
    after: str | None,
    kind: PositionKind | None,
) -> Page[PositionRecord]:
    """`Account.positions`: valued positions where the source has them (Mesh); none elsewhere."""
    window = _window(context, first, after)
    positions = context.services.sources[account.source].positions
    if positions is None:
        return Pager.empty()
    return await positions(context, account, window, kind)


async def resolve_providers(
    context: RequestContext, account: AccountRecord
) -> Sequence[ProviderRecord]:
    """`Account.providers`: the chain for on-chain accounts, the connected ones for Calico.

    Mesh's aggregated portfolio does not say which brokerage holds a position, so a Mesh
    account lists none rather than guessing.
    """
    if account.custodial:
        check_custodial_access(context, account.source, account.address)
    providers = context.services.sources[account.source].providers
    return [] if providers is None else await providers(context, account)


async def resolve_account_problems(
    context: RequestContext, account: AccountRecord
) -> Sequence[Exception]:
    """`Account.errors`: what failed of the account as a whole, beside its lists' own
    failures: each provider its source could not read (Calico's PROVIDER_ERRORs), or the
    failure to list its providers. Only a source that reads upstream for its providers has
    any (Calico); the others' are known without a call, so nothing of them fails here."""
    if account.custodial:
        check_custodial_access(context, account.source, account.address)
    problems = context.services.sources[account.source].account_problems
    return [] if problems is None else await problems(context, account)
