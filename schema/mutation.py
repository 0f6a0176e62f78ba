"""The `Mutation` root: asking a source to refresh the viewer's holdings."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.records import RefreshRecord
from resolvers.viewer import refresh_holdings
from schema.account import Account
from schema.enums import Source
from schema.soft import Info

__all__ = ["Mutation", "RefreshHoldingsPayload"]


@strawberry.type(description="What a source said to a refresh request.")
class RefreshHoldingsPayload:
    source: Source = strawberry.field(description="The source asked.")
    accepted: bool = strawberry.field(
        description="Whether the source accepted the refresh; false when asked again too soon."
    )
    retry_after_seconds: int | None = strawberry.field(
        description="When not accepted: seconds to wait before asking again, if the source said."
    )
    account: Account | None = strawberry.field(
        description="The viewer's account at the source; its holdings are read after the "
        "refresh was asked, never from a copy cached earlier in the request."
    )

    @classmethod
    def of(cls, record: RefreshRecord) -> RefreshHoldingsPayload:
        return cls(
            source=record.source,
            accepted=record.accepted,
            retry_after_seconds=record.retry_after_seconds,
            account=Account.of(record.account) if record.account else None,
        )


@strawberry.type(description="Operations that ask sources to do something.")
class Mutation:
    @strawberry.mutation(
        description="Ask a source to refresh the viewer's holdings (Calico POST /assets/refresh)."
    )
    async def refresh_holdings(
        self,
        info: Info,
        source: Annotated[Source, strawberry.argument(description="The source to refresh.")],
    ) -> RefreshHoldingsPayload:
        return RefreshHoldingsPayload.of(await refresh_holdings(info.context, source))
