"""`viewer` and `refreshHoldings`: what needs the caller to be a known user."""

from __future__ import annotations

import asyncio

from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Unauthenticated
from resolvers.freshness import drop_cached
from resolvers.records import AccountRecord, RefreshRecord, ViewerRecord
from sources import Source
from sources.calico.records import RefreshResult
from sources.errors import UpstreamError

__all__ = ["refresh_holdings", "resolve_viewer"]


def resolve_viewer(context: RequestContext) -> ViewerRecord | None:
    """The caller as a user: null without a bearer token, an error with a refused one."""
    caller = context.caller
    if caller.identity is None and caller.refusal is None:
        return None
    context.mark_personal()
    return ViewerRecord(caller.require().user_id)


async def refresh_holdings(context: RequestContext, source: Source) -> RefreshRecord:
    """Ask Calico to refresh the viewer's holdings; a refusal for now (429) is an answer.

    Either way the request's cached copies of the viewer's Calico data are dropped, so what
    the request reads after this comes from Calico again. A request asks once per source: every
    other `refreshHoldings` of it (aliases, the operations of a batch) answers from that one
    refresh, its failure included."""
    identity = context.caller.require()
    context.mark_personal()
    if source is not Source.CALICO:
        raise BadUserInput(
            f"source: {source.value} cannot be asked to refresh; only CALICO can "
            "(on-chain sources are read live, Mesh refreshes its portfolio itself)"
        )
    if identity.calico_token is None:
        raise Unauthenticated("refreshing CALICO needs the user's Calico token in X-Calico-Token")
    result = await _refreshed_once(context, source, identity.calico_token)
    account = AccountRecord(Source.CALICO, identity.user_id)
    return RefreshRecord(Source.CALICO, result.accepted, result.retry_after_seconds, account)


async def _refreshed_once(context: RequestContext, source: Source, token: str) -> RefreshResult:
    asked = context.refreshes.get(source)
    if asked is None:
        asked = context.refreshes[source] = asyncio.ensure_future(_refresh(context, source, token))
        return await asked
    try:
        return await asyncio.shield(asked)
    except UpstreamError as error:
        raise error.again() from error.__cause__  # an instance of its own for each field


async def _refresh(context: RequestContext, source: Source, token: str) -> RefreshResult:
    result = await context.services.calico.refresh(token)
    drop_cached(context, source)
    return result
