"""`Account` and `Viewer`: on-chain accounts anyone may read, and the user's own custodial ones."""

from __future__ import annotations

from typing import Annotated, cast

import strawberry

from resolvers.accounts import resolve_account, viewer_accounts
from resolvers.errors import BadUserInput
from resolvers.holding_query import HoldingQuery
from resolvers.holdings import (
    resolve_account_problems,
    resolve_holdings,
    resolve_positions,
    resolve_providers,
)
from resolvers.nodes import resolve_node
from resolvers.options import DEFAULT_FIRST
from resolvers.pagination import Pager
from resolvers.portfolio import SourceProblem
from resolvers.records import AccountRecord, ViewerRecord
from schema.demand import CONNECTION_SIZE, UPSTREAM_READ
from schema.enums import PositionKind, Source
from schema.holding import AssetHolding, HoldingFilter
from schema.holding_connection import AssetHoldingConnection
from schema.node import Node
from schema.position import Position
from schema.position_connection import PositionConnection
from schema.provider import Provider
from schema.selection import selects
from schema.served import served_as
from schema.soft import Info, carried, report, soft
from schema.source_error import SourceError

__all__ = ["Account", "Viewer"]

First = Annotated[
    int | None,
    strawberry.argument(
        description="How many items to return: from 1 to MAX_PAGE_SIZE (100 by default)."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return the items after this cursor (an edge's `cursor`)."),
]


@strawberry.federation.type(
    keys=["id", "source address"],
    description="An account that holds assets: an on-chain address, or a user's account at "
    "a custodial source.",
)
class Account(Node):
    id: strawberry.ID = strawberry.field(description="Global id of this account.")
    source: Source = strawberry.field(description="Which upstream this account lives in.")
    address: str = strawberry.field(
        description="Algorand address, Cardano stake address, or the user id for CALICO and MESH."
    )
    chain_id: str | None = strawberry.field(
        description="CAIP-2 chain id for on-chain accounts, e.g. "
        "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k."
    )

    @classmethod
    def of(cls, record: AccountRecord) -> Account:
        """The record as this type: served as it is, no copy (its attributes are the fields)."""
        return cast("Account", record)

    is_type_of = served_as(AccountRecord)

    @strawberry.field(
        description="What the account holds, one page at a time.",
        directives=[CONNECTION_SIZE, UPSTREAM_READ],
    )
    async def holdings(
        self,
        info: Info,
        first: First = DEFAULT_FIRST,
        after: After = None,
        filter: Annotated[
            HoldingFilter | None,
            strawberry.argument(description="Only holdings matching this filter."),
        ] = None,
    ) -> AssetHoldingConnection:
        query = filter.query() if filter else HoldingQuery.of()
        try:
            page = await resolve_holdings(
                info.context, _record(self), first, after, query, count=selects(info, "totalCount")
            )
        except Exception as error:  # the list answers, empty and incomplete, and says why
            page = Pager.failed(error)
        report(info, page.problems)
        return AssetHoldingConnection.of_holdings(page, _record(self), AssetHolding.of)

    @strawberry.field(
        description="Valued positions with cost basis and returns (MESH); empty for sources "
        "without them.",
        directives=[CONNECTION_SIZE, UPSTREAM_READ],
    )
    async def positions(
        self,
        info: Info,
        first: First = DEFAULT_FIRST,
        after: After = None,
        kind: Annotated[
            PositionKind | None,
            strawberry.argument(description="Only positions of this kind."),
        ] = None,
    ) -> PositionConnection:
        try:
            page = await resolve_positions(
                info.context, _record(self), first, after, PositionKind(kind) if kind else None
            )
        except Exception as error:  # the list answers, empty and incomplete, and says why
            page = Pager.failed(error)
        report(info, page.problems)
        return PositionConnection.of_positions(
            page, _record(self), lambda record: Position.of(record, self)
        )

    @strawberry.field(
        description="Where the account's assets are kept: its chain, or the exchanges and "
        "wallets connected at a custodial source.",
        directives=[UPSTREAM_READ],
    )
    async def providers(self, info: Info) -> list[Provider]:
        listed = resolve_providers(info.context, _record(self))
        records = await soft(info, listed, [], on_parent=True)
        return [Provider.of(record) for record in records]

    @strawberry.field(
        description="What failed of this account as a whole, beside its lists' own `errors`: "
        "a provider its source could not read (PROVIDER_ERROR: listed in `providers`, its "
        "holdings missing from the account's lists), or the source failing to list the "
        "providers (`providers` is then empty). Empty when nothing is known to be missing "
        "(only CALICO accounts are read for it). Asked for, it stands in for the GraphQL "
        "error of a failing `providers`.",
        directives=[UPSTREAM_READ],
    )
    async def errors(self, info: Info) -> list[SourceError]:
        carried(info)
        account = _record(self)
        try:
            problems = await resolve_account_problems(info.context, account)
        except Exception as error:  # what could not be read is what failed
            problems = [error]
        return [SourceError.of(SourceProblem(account.source, e, account)) for e in problems]

    @classmethod
    async def resolve_reference(
        cls,
        info: Info,
        id: strawberry.ID | None = None,
        source: str | None = None,
        address: str | None = None,
    ) -> Account | None:
        if id is not None:
            record = await resolve_node(info.context, id)
            return cls.of(record) if isinstance(record, AccountRecord) else None
        if source is None or address is None:
            return None
        served = info.context.services.sources.get(source)
        if served is None:
            names = ", ".join(info.context.services.sources.names)
            raise BadUserInput(f"source: {source!r} is not one of {names}")
        return cls.of(resolve_account(info.context, served.source, address))


def _record(account: Account) -> AccountRecord:
    """What an account's fields read: it is served as its record (`Account.of`)."""
    return cast("AccountRecord", account)


@strawberry.type(description="The authenticated end user.")
class Viewer:
    user_id: str = strawberry.field(description="The user's id: the bearer token's `sub`.")

    @classmethod
    def of(cls, record: ViewerRecord) -> Viewer:
        return cls(user_id=record.user_id)

    @strawberry.field(
        description="The user's custodial accounts: CALICO when X-Calico-Token is sent, MESH "
        "when Mesh is configured."
    )
    def accounts(self, info: Info) -> list[Account]:
        return [Account.of(record) for record in viewer_accounts(info.context)]
