"""The HTTP face of the graph: the GraphQL view and the routes beside it.

`server.py` composes these into the ASGI app; nothing here opens upstream sessions.
"""

from web.batching import BatchPolicy
from web.cache_control import CachePolicy
from web.graphiql import graphiql_assets
from web.persisted import DocumentStore, PersistedQueries
from web.trusted_documents import ManifestError, load_manifest
from web.view import AppState, GraphQLView

__all__ = [
    "AppState",
    "BatchPolicy",
    "CachePolicy",
    "DocumentStore",
    "GraphQLView",
    "ManifestError",
    "PersistedQueries",
    "graphiql_assets",
    "load_manifest",
]
