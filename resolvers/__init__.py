"""Plain async functions that answer the schema's fields with records.

They validate arguments before any upstream call, load through the request's DataLoaders,
normalise each source's data into `resolvers.records`, and cut connections from native
pagination. Each source is reached through its registration (`resolvers/sources/`), never by
name. No Strawberry here, no aiohttp: `schema/` maps the records, `sources/` talks HTTP.
"""

__all__: list[str] = []
