"""How many upstream requests a field may make, from the figures each served source registers.

Each source states its figures beside its resolvers (`UpstreamCalls` in its registration,
`resolvers/sources/<source>.py`), read with the app's settings (page sizes); they come here in
the request's options (`GraphOptions.calls`). Each is an upper bound for one instance of the
field (one account's `holdings`, one node):

    holdings   the source's figure for `first`, after a cursor or not, filtered or not
    positions  the source's figure (Mesh's portfolio); sources without positions none
    providers  the source's figure (Calico reads every asset page); an account's `errors` the
               same (it reads the same pages)
    portfolio  each account read whole: PORTFOLIO_MAX_HOLDINGS in the source's pages; the
               viewer's custodial accounts too
    a node     the dearest lookup by id of any source (0 for an account or a provider)
    refreshHoldings  one POST

A filter the graph applies itself, and a Cardano or Calico holding found by id, may also scan
pages drawn from the request's scan budget: those count once per request, MAX_SCANNED_PAGES.
Where the account's source is not known from the document (an account reached through a node,
or an entity named by id), the dearest source counts; entities named by `source address` count
as their sources. Concurrent identical reads share one call and a
request's loaders read each key once, so the real figure is usually lower, never higher.
Credentials fetched once per process (CardanoBI's and Mesh's tokens) are not counted.
"""

from __future__ import annotations

from collections.abc import Iterable

from resolvers.options import GraphOptions
from resolvers.scanning import MAX_SCANNED_PAGES
from sources import Source

__all__ = [
    "SCAN_PAGES",
    "all_sources",
    "entity_calls",
    "holdings_calls",
    "node_calls",
    "portfolio_calls",
    "positions_calls",
    "providers_calls",
    "viewer_sources",
]

SCAN_PAGES = MAX_SCANNED_PAGES

_FREE_NODES = {"Account", "Provider"}
"""Entities resolved from their key alone, without an upstream call."""


def all_sources(options: GraphOptions) -> frozenset[Source]:
    """Every source the app serves."""
    return frozenset(options.calls)


def viewer_sources(options: GraphOptions) -> frozenset[Source]:
    """The sources of the viewer's custodial accounts (`viewer.accounts`, the portfolio's own)."""
    return frozenset(source for source, calls in options.calls.items() if calls.viewer)


def holdings_calls(
    sources: Iterable[Source],
    options: GraphOptions,
    first: int,
    *,
    resumed: bool,
    filtered: bool,
) -> int:
    """One account's `holdings(first:, after:, filter:)`, the dearest of `sources`."""
    figures = options.calls
    return max((figures[s].holdings(first, resumed, filtered) for s in sources), default=0)


def positions_calls(sources: Iterable[Source], options: GraphOptions) -> int:
    return max((options.calls[source].positions for source in sources), default=0)


def providers_calls(sources: Iterable[Source], options: GraphOptions) -> int:
    return max((options.calls[source].providers for source in sources), default=0)


def portfolio_calls(
    accounts: Iterable[Source | None], include_viewer: bool, options: GraphOptions
) -> int:
    """Every holding of each account named (None: its source is not known) and of the viewer's
    custodial accounts."""
    cap = options.portfolio_max_holdings
    whole = {source: figures.whole_account(cap) for source, figures in options.calls.items()}
    dearest = max(whole.values(), default=0)
    calls = sum(dearest if source is None else whole[source] for source in accounts)
    if include_viewer:
        calls += sum(whole[source] for source in viewer_sources(options))
    return calls


def node_calls(options: GraphOptions) -> int:
    """The dearest node by id (a Calico holding, found by a walk for one item)."""
    return max((figures.node for figures in options.calls.values()), default=0)


def entity_calls(type_name: object, options: GraphOptions) -> int:
    """One `_entities` representation of `type_name` (anything else: the dearest node)."""
    if type_name in _FREE_NODES:
        return 0
    return node_calls(options)
