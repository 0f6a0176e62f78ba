"""`AssetHoldingConnection`: a page of an account's holdings that says when the list is not
whole.

Beside the Relay fields of every connection, a holdings list tells what it could not give:
`complete` is false when the list is known to miss items (an upstream that cut it, an item it
sent malformed, a page or provider that failed), and `errors` says what, each as a
`SourceError` naming the account. The same failures are GraphQL errors on the connection's path
unless the client reads `errors` (`schema/soft.py`). `totalCount` stays null when the list's
length is not known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry

from resolvers.pagination import Page
from resolvers.portfolio import SourceProblem
from resolvers.records import AccountRecord
from schema.connections import Connection, PageInfo
from schema.holding import AssetHolding
from schema.soft import Info, carried
from schema.source_error import SourceError

__all__ = ["AssetHoldingConnection"]


@strawberry.type(
    name="AssetHoldingConnection",
    description="One page of an account's holdings, in a stable order (Relay cursor "
    "connections), and what the list could not give.",
)
class AssetHoldingConnection(Connection[AssetHolding]):
    complete: bool = strawberry.field(
        description="False when the list is known to miss holdings: the upstream cut it (e.g. "
        "CardanoBI's first 100 tokens), sent one malformed, or a page or provider failed. "
        "`errors` says what."
    )
    listed: strawberry.Private[list[SourceError]]

    @strawberry.field(
        description="What was cut or failed on this list, each naming the account; empty "
        "when nothing is known to be missing. Asked for, it stands in for the GraphQL errors "
        "the same failures would add to the response."
    )
    def errors(self, info: Info) -> list[SourceError]:
        carried(info)
        return self.listed

    @classmethod
    def of_holdings(
        cls,
        page: Page[Any],
        account: AccountRecord,
        to_node: Callable[[Any], AssetHolding],
    ) -> AssetHoldingConnection:
        """The page's holdings, and what is missing from the list, for `account`."""
        base = Connection.of(page, to_node)
        return cls(
            edges=base.edges,
            nodes=base.nodes,
            page_info=PageInfo(
                has_next_page=base.page_info.has_next_page,
                has_previous_page=base.page_info.has_previous_page,
                start_cursor=base.page_info.start_cursor,
                end_cursor=base.page_info.end_cursor,
            ),
            total_count=base.total_count,
            complete=page.complete,
            listed=[
                SourceError.of(SourceProblem(account.source, error, account))
                for error in page.problems
            ],
        )
