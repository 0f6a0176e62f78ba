"""Upstream packages: one per API (settings block, client, typed records, loaders, sandbox).

Nothing here imports Strawberry. `http.py` is the only module that touches aiohttp's client;
the sandboxes use aiohttp.web to play the upstreams.
"""

from sources.source import Source

__all__ = ["Source"]
