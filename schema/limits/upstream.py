"""How many upstream requests a field may make, per source, from how its resolver reads.

Each figure is an upper bound for one instance of the field (one account's `holdings`, one
node), read off the resolvers and clients:

    holdings   ALGORAND  the balance (`GET /v2/accounts/{address}`) and one assets page of
                         `first + 1` (algod serves up to 1,000 a page, `resolvers/algorand.py`);
                         a filter asks pages of 1,000
               CARDANO   the balance and ceil(first / page) token answers of at most
                         CARDANOBI_PAGE_SIZE, 99 (`resolvers/cardano.py: tokens_per_request`;
                         the ADA balance heads the list); after a cursor no balance and one more
               CALICO    ceil((first + 1) / page) asset pages of CALICO_PAGE_SIZE, one more
                         after a cursor
               MESH      the whole portfolio, one request
    positions  MESH      the portfolio; other sources none
    providers  CALICO    every asset page (`resolvers/calico.py`: up to 10,000 assets)
    portfolio  each account read whole: PORTFOLIO_MAX_HOLDINGS in the source's pages, plus the
               balance on chain; the viewer's CALICO and MESH accounts too
    a node     the dearest lookup by id: a Calico holding (a walk for one item: two pages and
               the part-way one), 1 for an algod or CardanoBI asset or holding, 0 for an account
               or a provider
    refreshHoldings  one POST

A filter the graph applies itself, and a Cardano or Calico holding found by id, may also scan
pages drawn from the request's scan budget: those count once per request, MAX_SCANNED_PAGES.
Where the account's source is not known from the document (an account reached through a node
or an entity), the dearest source counts. Concurrent identical reads share one call and a
request's loaders read each key once, so the real figure is usually lower, never higher.
Credentials fetched once per process (CardanoBI's and Mesh's tokens) are not counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from resolvers.calico import MAX_LISTED_ASSETS
from resolvers.cardano import tokens_per_request
from resolvers.context import GraphOptions
from resolvers.scanning import MAX_SCANNED_PAGES
from sources import Source

__all__ = [
    "ALGOD_MAX_PAGE",
    "ALL_SOURCES",
    "SCAN_PAGES",
    "VIEWER_SOURCES",
    "entity_calls",
    "holdings_calls",
    "node_calls",
    "portfolio_calls",
    "positions_calls",
    "providers_calls",
]

ALGOD_MAX_PAGE = 1000
"""algod's MaxAssetResults: the most holdings one assets page holds."""
ALL_SOURCES = frozenset(Source)
VIEWER_SOURCES = frozenset({Source.CALICO, Source.MESH})
"""The viewer's custodial accounts (`viewer.accounts`, the portfolio's own)."""
SCAN_PAGES = MAX_SCANNED_PAGES

_FREE_NODES = {"Account", "Provider"}
"""Entities resolved from their key alone, without an upstream call."""


def _pages(items: int, size: int) -> int:
    return max(1, math.ceil(items / max(1, size)))


def _holdings(
    source: Source, options: GraphOptions, first: int, resumed: bool, filtered: bool
) -> int:
    if source is Source.ALGORAND:
        limit = ALGOD_MAX_PAGE if filtered else min(first + 1, ALGOD_MAX_PAGE)
        return 1 + _pages(first + 1, limit)
    if source is Source.CARDANO:
        size = tokens_per_request(options)
        if resumed:
            return _pages(first + 1, size) + 1
        return 1 + _pages(first, size)
    if source is Source.CALICO:
        return _pages(first + 1, options.calico_page_size) + (1 if resumed else 0)
    return 1


def holdings_calls(
    sources: Iterable[Source],
    options: GraphOptions,
    first: int,
    *,
    resumed: bool,
    filtered: bool,
) -> int:
    """One account's `holdings(first:, after:, filter:)`, the dearest of `sources`."""
    return max((_holdings(s, options, first, resumed, filtered) for s in sources), default=0)


def positions_calls(sources: Iterable[Source]) -> int:
    return 1 if Source.MESH in sources else 0


def providers_calls(sources: Iterable[Source], options: GraphOptions) -> int:
    if Source.CALICO in sources:
        return _pages(MAX_LISTED_ASSETS, options.calico_page_size)
    return 0


def _whole_account(source: Source, options: GraphOptions) -> int:
    cap = options.portfolio_max_holdings
    if source is Source.ALGORAND:
        return 1 + _pages(cap, ALGOD_MAX_PAGE)
    if source is Source.CARDANO:
        return 1 + _pages(cap, tokens_per_request(options))
    if source is Source.CALICO:
        return _pages(cap + 1, options.calico_page_size)
    return 1


def portfolio_calls(
    accounts: Iterable[Source | None], include_viewer: bool, options: GraphOptions
) -> int:
    """Every holding of each account named (None: its source is not known) and of the viewer's
    custodial accounts."""
    dearest = max(_whole_account(source, options) for source in Source)
    calls = sum(
        dearest if source is None else _whole_account(source, options) for source in accounts
    )
    if include_viewer:
        calls += sum(_whole_account(source, options) for source in VIEWER_SOURCES)
    return calls


def node_calls(options: GraphOptions) -> int:
    """The dearest node by id: a Calico holding, found by a walk for one item."""
    return max(1, math.ceil(2 / max(1, options.calico_page_size)) + 2)


def entity_calls(type_name: object, options: GraphOptions) -> int:
    """One `_entities` representation of `type_name` (anything else: the dearest node)."""
    if type_name in _FREE_NODES:
        return 0
    return node_calls(options)
