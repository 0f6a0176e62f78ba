"""`viewer` and `refreshHoldings`: what needs the caller to be a known user."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.freshness import drop_cached
from resolvers.identity import Identity
from resolvers.records import RefreshRecord, ViewerRecord
from sources import Source
from sources.errors import UpstreamError

__all__ = ["refresh_holdings", "resolve_viewer"]

Refresh = Callable[[RequestContext, Identity], Awaitable[RefreshRecord]]


def resolve_viewer(context: RequestContext) -> ViewerRecord | None:
    """The caller as a user: null without a bearer token, an error with a refused one."""
    caller = context.caller
    if caller.identity is None and caller.refusal is None:
        return None
    context.mark_personal()
    return ViewerRecord(caller.require().user_id)


async def refresh_holdings(context: RequestContext, source: Source) -> RefreshRecord:
    """Ask the source to refresh the viewer's holdings (Calico); a refusal for now (429) is an
    answer.

    Either way the request's cached copies of the viewer's data at the source are dropped, so
    what the request reads after this comes from the source again. A request asks once per
    source: every other `refreshHoldings` of it (aliases, the operations of a batch) answers
    from that one refresh, its failure included."""
    identity = context.caller.require()
    context.mark_personal()
    definition = context.services.sources.get(source)
    refresh = definition.refresh if definition is not None else None
    if refresh is None:
        able = ", ".join(d.source.value for d in context.services.sources if d.refresh)
        raise BadUserInput(
            f"source: {source.value} cannot be asked to refresh; only {able} can "
            "(on-chain sources are read live, Mesh refreshes its portfolio itself)"
        )
    asked = context.refreshes.get(source)
    if asked is None:
        asked = context.refreshes[source] = asyncio.ensure_future(
            _refresh(context, source, refresh, identity)
        )
        return await asked
    try:
        return await asyncio.shield(asked)
    except UpstreamError as error:
        raise error.again() from error.__cause__  # an instance of its own for each field


async def _refresh(
    context: RequestContext, source: Source, refresh: Refresh, identity: Identity
) -> RefreshRecord:
    record = await refresh(context, identity)
    drop_cached(context, source)
    return record
