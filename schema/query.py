"""The `Query` root: nodes by id, accounts by address, the viewer, and the providers."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated

import strawberry

from resolvers.accounts import resolve_account, resolve_accounts
from resolvers.nodes import resolve_node, resolve_nodes
from resolvers.options import DEFAULT_FIRST
from resolvers.providers import providers_page
from resolvers.viewer import resolve_viewer
from schema.account import Account, After, First, Viewer
from schema.connections import Connection
from schema.demand import CONNECTION_SIZE, UPSTREAM_READ
from schema.enums import Source
from schema.mapping import to_node
from schema.node import Node
from schema.portfolio import Portfolio, portfolio_of
from schema.provider import Provider
from schema.soft import Info

__all__ = ["AccountRef", "PortfolioAccounts", "PortfolioIncludesViewer", "Query"]


@strawberry.input(description="Names an on-chain account, or one of the viewer's own.")
class AccountRef:
    source: Source = strawberry.field(description="Which upstream the account lives in.")
    address: str = strawberry.field(
        description="Algorand address, Cardano stake address, or the user id for CALICO and MESH."
    )


async def _node(info: Info, id: str) -> Node | None:
    return to_node(await resolve_node(info.context, id))


async def _failed(error: Exception) -> Account | None:
    raise error


#: The arguments naming a portfolio's accounts (`portfolio`, `portfolioChanged`).
PortfolioAccounts = Annotated[
    list[AccountRef] | None,
    strawberry.argument(
        description="Accounts to include (at most MAX_IDS): on-chain ones, or the "
        "viewer's own custodial ones."
    ),
]
PortfolioIncludesViewer = Annotated[
    bool | None,
    strawberry.argument(
        description="Also include the viewer's custodial accounts (CALICO with "
        "X-Calico-Token, MESH); without a bearer token they are listed in `errors`. "
        "Null counts as false."
    ),
]


@strawberry.type(description="Holdings across Algorand, Cardano, Calico and Mesh.")
class Query:
    @strawberry.field(description="Any object by its global id; null when it no longer exists.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
    ) -> Node | None:
        return await _node(info, id)

    @strawberry.field(
        description="Many objects by global id, in the order asked; a bad id fails its slot only."
    )
    def nodes(
        self,
        info: Info,
        ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description="Global ids (at most MAX_IDS, 100 by default)."),
        ],
    ) -> list[Node | None]:
        awaitables = resolve_nodes(info.context, ids)

        async def mapped(work: Awaitable[object]) -> Node | None:
            return to_node(await work)  # type: ignore[arg-type]

        return [mapped(work) for work in awaitables]  # type: ignore[misc]

    @strawberry.field(
        description="An on-chain account (ALGORAND address or CARDANO stake address); any "
        "address may be asked."
    )
    def account(
        self,
        info: Info,
        source: Annotated[Source, strawberry.argument(description="Which upstream.")],
        address: Annotated[str, strawberry.argument(description="The account's address.")],
    ) -> Account | None:
        return Account.of(resolve_account(info.context, source, address))

    @strawberry.field(
        description="Many accounts at once, in the order asked; upstream calls are batched."
    )
    def accounts(
        self,
        info: Info,
        refs: Annotated[
            list[AccountRef],
            strawberry.argument(description="The accounts (at most MAX_IDS, 100 by default)."),
        ],
    ) -> list[Account | None]:
        answers = resolve_accounts(info.context, [(ref.source, ref.address) for ref in refs])
        # A failed slot is an awaitable that raises: graphql-core nulls that slot only.
        return [
            _failed(answer) if isinstance(answer, Exception) else Account.of(answer)  # type: ignore[misc]
            for answer in answers
        ]

    @strawberry.field(description="The authenticated end user; null without a valid bearer token.")
    def viewer(self, info: Info) -> Viewer | None:
        record = resolve_viewer(info.context)
        return Viewer.of(record) if record else None

    @strawberry.field(
        description="Providers (exchanges, brokerages, wallets, chains) the graph knows.",
        directives=[CONNECTION_SIZE],
    )
    def providers(
        self,
        info: Info,
        first: First = DEFAULT_FIRST,
        after: After = None,
        source: Annotated[
            Source | None,
            strawberry.argument(description="Only providers reachable through this source."),
        ] = None,
    ) -> Connection[Provider]:
        page = providers_page(info.context, first, after, source)
        return Connection.of(page, Provider.of)

    @strawberry.field(
        directives=[UPSTREAM_READ],
        description="One portfolio across the accounts named and the viewer's custodial "
        "accounts: exact totals per asset, source and chain, and what is missing (`errors`).",
    )
    async def portfolio(
        self,
        info: Info,
        accounts: PortfolioAccounts = None,
        include_viewer: PortfolioIncludesViewer = True,
    ) -> Portfolio:
        refs = [(ref.source, ref.address) for ref in accounts or []]
        return await portfolio_of(info, refs, include_viewer is True)
