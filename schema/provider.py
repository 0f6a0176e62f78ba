"""`Provider`: an exchange, brokerage, wallet or chain that holds assets."""

from __future__ import annotations

from typing import cast

import strawberry

from resolvers.nodes import resolve_node
from resolvers.records import ProviderRecord
from schema.enums import ProviderKind, Source
from schema.node import Node
from schema.served import served_as
from schema.soft import Info

__all__ = ["Provider"]


@strawberry.federation.type(
    keys=["id"], description="An exchange, brokerage, wallet or chain that holds assets."
)
class Provider(Node):
    id: strawberry.ID = strawberry.field(description="Global id of this provider.")
    slug: str = strawberry.field(
        description="Stable lowercase slug: coinbase, kraken, robinhood, algorand, cardano …"
    )
    name: str = strawberry.field(description="Display name.")
    kind: ProviderKind = strawberry.field(description="What sort of provider this is.")
    sources: list[Source] = strawberry.field(
        description="The upstreams through which the graph can read holdings at this provider."
    )

    @classmethod
    def of(cls, record: ProviderRecord) -> Provider:
        """The record as this type: served as it is, no copy (its attributes are the fields)."""
        return cast("Provider", record)

    is_type_of = served_as(ProviderRecord)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Provider | None:
        record = await resolve_node(info.context, id)
        return cls.of(record) if isinstance(record, ProviderRecord) else None
