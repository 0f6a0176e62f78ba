"""The cache key of an upstream read: what was asked, never who asked or with what credential.

The key is made of the source, the method, the base URL without any `user:password@`, the path
and the query parameters (the URL's own and the given ones) sorted by name. Headers (where the
algod token, CardanoBI's key and bearer, a user's JWT or Calico token travel) are never part of
it, so no credential can reach a key stored in Redis. Keys are namespaced `holdings:v1:` so a
future change of the stored format can move to `v2` without reading old entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sources.source import Source

__all__ = ["NAMESPACE", "cache_key"]

NAMESPACE = "holdings:v1:"


def cache_key(
    source: Source,
    method: str,
    base_url: str,
    path: str,
    params: Mapping[str, str] | None = None,
) -> str:
    """`holdings:v1:<source>:<METHOD>:<base URL><path>?<sorted params>`."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    base = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    # An absolute URL may carry its own query (a `next` link): it is part of what was asked.
    asked = [*parse_qsl(parts.query, keep_blank_values=True), *(params or {}).items()]
    query = urlencode(sorted(asked))
    return f"{NAMESPACE}{source.value}:{method.upper()}:{base}{path}?{query}"
