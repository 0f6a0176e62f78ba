"""What the graph's own limits are, from the settings: the one statement of their defaults.

`settings.py` reads each from the environment with these as its defaults, so a `GraphOptions()`
built with no arguments behaves like a server with nothing configured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from resolvers.upstream_calls import UpstreamCalls
from sources import Source

__all__ = ["DEFAULT_FIRST", "GraphOptions"]

DEFAULT_FIRST = 20
"""The items of a connection page when `first` is not given (the schema's default too)."""


@dataclass(frozen=True, slots=True)
class GraphOptions:
    """Limits, from settings."""

    default_first: int = DEFAULT_FIRST
    #: The most items one page may ask (`MAX_PAGE_SIZE`).
    max_first: int = 100
    #: The most ids or accounts one field may name (`MAX_IDS`).
    max_ids: int = 100
    #: Most holdings the portfolio reads of one account (`PORTFOLIO_MAX_HOLDINGS`).
    portfolio_max_holdings: int = 10_000
    #: How long one GraphQL request may spend on upstream calls (`REQUEST_DEADLINE_SECONDS`).
    request_deadline_seconds: float = 20.0
    # Hostile-query limits, checked by `schema/limits/` before any resolver runs.
    max_query_depth: int = 15
    max_query_aliases: int = 256
    max_query_tokens: int = 5000
    max_query_cost: int = 100_000
    max_query_selections: int = 10_000
    max_query_overlaps: int = 50_000
    max_response_fields: int = 300_000
    max_upstream_calls: int = 1_000
    #: Whether operations run on compiled execution plans (`COMPILED_EXECUTION`).
    compiled_execution: bool = True
    #: Whether `__schema` and `__type` answer (`GRAPHQL_INTROSPECTION`, schema/introspection.py).
    introspection: bool = True
    #: What each served source's fields may cost upstream, in the app's registry order.
    calls: Mapping[Source, UpstreamCalls] = field(default_factory=dict)
