"""`PositionConnection`: a page of an account's valued positions that says when the list is not
whole, as `AssetHoldingConnection` does for holdings.

`complete` is false when the list is known to miss positions (the source failed, or sent one
malformed), and `errors` says what, each as a `SourceError` naming the account. The same
failures are GraphQL errors on the connection's path unless the client reads `errors`
(`schema/soft.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from resolvers.pagination import Page
from resolvers.portfolio import SourceProblem
from resolvers.records import AccountRecord
from schema.connections import Connection
from schema.position import Position
from schema.soft import Info, carried
from schema.source_error import SourceError

__all__ = ["PositionConnection"]


@strawberry.type(
    name="PositionConnection",
    description="One page of an account's valued positions, in a stable order (Relay cursor "
    "connections), and what the list could not give.",
)
class PositionConnection(Connection[Position]):
    complete: bool = strawberry.field(
        description="False when the list is known to miss positions: the source failed, or "
        "sent one malformed. `errors` says what."
    )
    listed: strawberry.Private[list[SourceError]]

    @strawberry.field(
        description="What failed on this list, each naming the account; empty when nothing "
        "is known to be missing. Asked for, it stands in for the GraphQL errors the same "
        "failures would add to the response."
    )
    def errors(self, info: Info) -> list[SourceError]:
        carried(info)
        return self.listed

    @classmethod
    def of_positions(
        cls,
        page: Page[Any],
        account: AccountRecord,
        to_node: Callable[[Any], Position],
    ) -> PositionConnection:
        """The page's positions, and what is missing from the list, for `account`."""
        base = Connection.of(page, to_node)
        return cls(
            edges=base.edges,
            nodes=base.nodes,
            page_info=base.page_info,
            total_count=base.total_count,
            complete=page.complete,
            listed=[
                SourceError.of(SourceProblem(account.source, error, account))
                for error in page.problems
            ],
        )
