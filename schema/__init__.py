"""The GraphQL schema: Strawberry types over the resolvers' records, as a Federation v2 subgraph.

`build_schema(sources)` builds the schema that serves a registry of sources (its `Source` enum
has their values); `schema` is the server's, over the four sources of the contract, built once
at import. Its SDL is committed as `schema.graphql` (see `python server.py export-schema`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext

from resolvers.sources import SOURCES, SourceRegistry
from schema.account import Account, Viewer
from schema.asset import Asset
from schema.caching import CachedDocuments
from schema.entities import Entity, EntityResolver
from schema.errors import ErrorTranslation, log_errors
from schema.execution import PlannedExecutor
from schema.holding import AssetHolding
from schema.incremental_arguments import IncrementalArguments
from schema.introspection import IntrospectionSwitch
from schema.limits import QueryLimits
from schema.metrics import OperationMetrics
from schema.mutation import Mutation
from schema.operation_kind import OperationKind
from schema.position import Position
from schema.provider import Provider
from schema.query import Query
from schema.scalars import SCALARS
from schema.soft import Info
from schema.source_enum import serve_sources
from schema.subscription import Subscription

__all__ = ["FEDERATION_VERSION", "HoldingsSchema", "build_schema", "schema"]


#: The Federation version the subgraph links (`@link(url: ".../federation/v2.9")`): the highest
#: that every gateway we are composed by knows. Apollo's composition (@apollo/gateway 2.14) knows
#: v2.0-v2.14, Hive's (@theguild/federation-composition 0.26/0.27, in Hive Gateway) v2.0-v2.9 and
#: refuses a subgraph that links a later one; `@cost` and `@listSize` need v2.9. Strawberry's
#: default is v2.11.
FEDERATION_VERSION: Final = "2.9"

_ENTITIES = EntityResolver(Entity.of(type_) for type_ in (Account, AssetHolding, Asset, Provider))


class HoldingsSchema(strawberry.federation.Schema):
    """The federated schema: `_entities` slot by slot, errors logged our own way (never with a
    credential)."""

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        return _ENTITIES.resolve(info, representations)  # type: ignore[return-value]

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


@cache
def build_schema(sources: SourceRegistry) -> HoldingsSchema:
    """The schema serving `sources` (one per registry)."""
    types: list[Any] = [Account, Viewer, Asset, AssetHolding, Position, Provider]
    built = HoldingsSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=types,
        # QueryLimits after CachedDocuments: it measures the document that one validated.
        # OperationMetrics first: its on_operation ends last, after ErrorTranslation's.
        extensions=[
            OperationMetrics,
            ErrorTranslation,
            CachedDocuments,
            QueryLimits,
            OperationKind,
            IntrospectionSwitch,
            IncrementalArguments,
        ],
        # `@defer` and `@stream` (graphql-core's incremental execution), in effect only for a
        # response sent in parts (`schema/delivery.py`, `web/incremental.py`).
        config=strawberry.schema.config.StrawberryConfig(
            scalar_map=SCALARS, enable_experimental_incremental_execution=True
        ),
        federation_version=FEDERATION_VERSION,
        # `DeliveryExecutor` with compiled plans for pure subtrees (COMPILED_EXECUTION); a
        # response sent in parts runs on graphql-core's incremental executor alone.
        execution_context_class=PlannedExecutor,
    )
    serve_sources(built._schema, sources)
    return built


schema = build_schema(SOURCES)
