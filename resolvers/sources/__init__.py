"""The sources the graph serves: one registration each, and the registry of all four.

A source is registered by one `SourceDefinition` (`definition.py`) in a module of its own here,
which composes its package in `sources/` (client, loaders, sandbox, settings block) with its
resolvers. `SOURCES` is what the server serves; an app may serve another registry
(`SOURCES.with_sources(...)`), as the tests do with a fifth source of their own.
"""

from resolvers.sources.algorand import ALGORAND
from resolvers.sources.calico import CALICO
from resolvers.sources.cardano import CARDANO
from resolvers.sources.definition import SourceDefinition, SourceOpener
from resolvers.sources.mesh import MESH
from resolvers.sources.registry import Definition, SourceRegistry

__all__ = [
    "ALGORAND",
    "CALICO",
    "CARDANO",
    "MESH",
    "SOURCES",
    "Definition",
    "SourceDefinition",
    "SourceOpener",
    "SourceRegistry",
]

SOURCES = SourceRegistry(ALGORAND, CARDANO, CALICO, MESH)
"""The four sources of the contract, in the schema's order."""
