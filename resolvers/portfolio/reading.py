"""Which accounts a portfolio covers, and reading every holding of each, failures kept apart.

Accounts: the ones named (checked before any upstream call: a malformed address, or another
user's custodial account, refuses the whole field, naming it), then, with `includeViewer`, the
viewer's custodial accounts (CALICO with X-Calico-Token, and MESH), without repeats. An
anonymous caller (or one whose token was refused) asking for the viewer gets the on-chain part
and an UNAUTHENTICATED problem for each custodial source: the portfolio is partial, not absent.

Reading: every account at once (so each source's loaders batch them), every upstream page of
each, at most `cap` holdings per account (`PORTFOLIO_MAX_HOLDINGS`). An account with more is cut
at the cap (its first holdings in the source's order) with a HOLDINGS_TRUNCATED problem. An
account whose source fails contributes nothing, and the failure becomes a problem; a Calico
provider that fails is a PROVIDER_ERROR problem beside that account's other holdings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from resolvers.accounts import resolve_account, viewer_accounts
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, HoldingsTruncated, Unauthenticated
from resolvers.portfolio.records import SourceProblem
from resolvers.records import AccountRecord, HoldingsRead
from sources import Source

__all__ = ["accounts_of", "read_accounts"]


def accounts_of(
    context: RequestContext, refs: Sequence[tuple[Source, str]], include_viewer: bool
) -> tuple[list[AccountRecord], list[SourceProblem]]:
    """The portfolio's accounts, in order and without repeats, and what the viewer part lacks."""
    maximum = context.options.max_ids
    if len(refs) > maximum:
        raise BadUserInput(f"accounts: {len(refs)} accounts asked; at most {maximum} at once")
    chosen: dict[tuple[Source, str], AccountRecord] = {}
    for source, address in refs:
        account = resolve_account(context, source, address)
        chosen.setdefault((account.source, account.address), account)
    problems: list[SourceProblem] = []
    if include_viewer:
        try:
            mine = viewer_accounts(context)
        except Unauthenticated as refused:
            viewer = context.services.sources.viewer_sources
            problems = [SourceProblem(source, refused) for source in viewer]
            mine = []
        for account in mine:
            chosen.setdefault((account.source, account.address), account)
    return list(chosen.values()), problems


async def _read(
    context: RequestContext, account: AccountRecord, cap: int
) -> HoldingsRead | SourceProblem:
    try:
        return await context.services.sources[account.source].read_all(context, account, cap)
    except Exception as error:  # any failure of one account leaves the others whole
        return SourceProblem(account.source, error, account)


async def read_accounts(
    context: RequestContext, accounts: Sequence[AccountRecord]
) -> tuple[list[HoldingsRead], list[SourceProblem]]:
    """Every account's holdings (those that could be read) and the problems met."""
    cap = context.options.portfolio_max_holdings
    answers = await asyncio.gather(*(_read(context, account, cap) for account in accounts))
    reads: list[HoldingsRead] = []
    problems: list[SourceProblem] = []
    for answer in answers:
        if isinstance(answer, SourceProblem):
            problems.append(answer)
            continue
        reads.append(answer)
        source = answer.account.source
        problems.extend(SourceProblem(source, error, answer.account) for error in answer.problems)
        if answer.truncated:
            problems.append(
                SourceProblem(source, HoldingsTruncated(answer.account, cap), answer.account)
            )
    return reads, problems
