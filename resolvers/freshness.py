"""Dropping cached copies of a source's data for the viewer, when they ask for fresh data.

`refreshHoldings` calls `drop_cached` after asking the source to refresh: today the only copies
are the request's own loaders (Calico pages read earlier in the same request); a cache shared
across requests hooks in here too, so a refresh never leaves the viewer looking at old data.
"""

from __future__ import annotations

from resolvers.context import RequestContext
from sources import Source

__all__ = ["drop_cached"]


def drop_cached(context: RequestContext, source: Source) -> None:
    """Forget every cached copy of `source`'s data for this request's viewer."""
    context.loaders.forget(source)
