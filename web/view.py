"""The GraphQL endpoint at `/graphql`: Strawberry's ASGI view with our typed per-request context.

Each request gets a fresh `RequestContext` (new loaders, the caller read from its headers) built
from the app-lifetime `Services` that the lifespan put in `AppState`.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL

from resolvers.context import RequestContext, Services
from schema import schema

__all__ = ["AppState", "GraphQLView"]


@dataclass
class AppState:
    """What the lifespan opened; `services` is None before start-up and after shutdown."""

    services: Services | None = None


class GraphQLView(GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with our typed per-request context."""

    def __init__(self, state: AppState) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self._state = state

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        services = self._state.services
        if services is None:
            raise RuntimeError("the app's lifespan has not started")
        caller = services.verifier.caller(
            request.headers.get("authorization"), request.headers.get("x-calico-token")
        )
        return RequestContext.create(services, caller)
