"""DataLoaders over Mesh, created fresh for every GraphQL request.

Mesh answers one user's whole portfolio in one call and has no batch endpoint, so a batch is
one `GET /api/v1/holdings/portfolio` per distinct (user, timezone offset), all sent at once. A
loader lives one request: its cache holds one user's custodial data and must never serve
another request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aiodataloader import DataLoader

from sources.batching import settle_each
from sources.loader import SharedLoader
from sources.mesh.client import MeshClient
from sources.mesh.records import Portfolio

__all__ = ["MeshLoaders", "PortfolioKey", "load_portfolios"]


@dataclass(frozen=True, slots=True)
class PortfolioKey:
    """One portfolio request: whose, and with which offset (seconds) for daily returns."""

    user_id: str
    timezone_offset: int = 0


async def load_portfolios(
    client: MeshClient, keys: Sequence[PortfolioKey]
) -> list[Portfolio | Exception]:
    """The portfolio of each key, in key order; a failed key holds its exception.

    Each distinct key costs exactly one upstream request, even if the loader's cache is off.
    """

    async def fetch(key: PortfolioKey) -> Portfolio:
        return await client.portfolio(key.user_id, timezone_offset=key.timezone_offset)

    return await settle_each(keys, fetch)


@dataclass(frozen=True, slots=True)
class MeshLoaders:
    """The Mesh loaders of one GraphQL request."""

    portfolio: DataLoader[PortfolioKey, Portfolio]

    @classmethod
    def create(cls, client: MeshClient) -> MeshLoaders:
        """New loaders with empty caches; call once per request, inside the event loop."""

        async def batch(keys: list[PortfolioKey]) -> list[Portfolio]:
            # aiodataloader's signature has no room for the exceptions it accepts per slot.
            return cast(list[Portfolio], await load_portfolios(client, keys))

        return cls(portfolio=SharedLoader(batch))
