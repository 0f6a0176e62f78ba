"""The HTTP face of the graph: the GraphQL view and the routes beside it.

`server.py` composes these into the ASGI app; nothing here opens upstream sessions.
"""

from web.view import AppState, GraphQLView

__all__ = ["AppState", "GraphQLView"]
