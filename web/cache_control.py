"""`Cache-Control` of a `/graphql` response: who may keep it, and for how long.

    personal (a bearer token or X-Calico-Token came, or a resolver read a user's data)
                                        -> private, no-store
    a mutation, an error, a non-200     -> no-store   (nothing to reuse: ask again)
    only public on-chain data, no error -> public, max-age=CACHE_MAX_AGE_SECONDS

Responses also `Vary` on the headers that change them, so a shared cache never hands an
anonymous answer to a caller with credentials (or the other media type to a client).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["PERSONAL_HEADERS", "VARY", "CachePolicy"]

#: Request headers that carry a user's credentials: their presence makes a response personal.
PERSONAL_HEADERS = ("authorization", "x-calico-token")
VARY = "Accept, Authorization, X-Calico-Token"


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Decides `Cache-Control` for one response."""

    max_age: int

    def header(self, *, personal: bool, reusable: bool) -> str:
        """`personal`: a user's data or credentials were involved; `reusable`: a query that
        answered 200 without any error."""
        if personal:
            return "private, no-store"
        if not reusable:
            return "no-store"
        return f"public, max-age={self.max_age}"

    @staticmethod
    def sent_credentials(headers: Mapping[str, str]) -> bool:
        """Whether the request carried a user's credentials (even refused ones)."""
        return any(name in headers for name in PERSONAL_HEADERS)
