"""Mesh Connect: one end user's aggregated portfolio with market values (UPSTREAMS.md §4).

The client, its records and loaders are exported here; the sandbox (an `aiohttp.web` app) lives
in `sources.mesh.sandbox` and its data in `sources.mesh.sandbox_data`, imported where needed.
"""

from sources.mesh.client import PORTFOLIO_PATH, MeshClient
from sources.mesh.loaders import MeshLoaders, PortfolioKey, load_portfolios
from sources.mesh.records import (
    CRYPTOCURRENCY,
    EMPTY_PORTFOLIO,
    EQUITY,
    Distribution,
    NftPosition,
    Portfolio,
    Position,
)

__all__ = [
    "CRYPTOCURRENCY",
    "EMPTY_PORTFOLIO",
    "EQUITY",
    "PORTFOLIO_PATH",
    "Distribution",
    "MeshClient",
    "MeshLoaders",
    "NftPosition",
    "Portfolio",
    "PortfolioKey",
    "Position",
    "load_portfolios",
]
