"""The `Subscription` root: live holdings and portfolios, pushed as they change (issue #15).

Each event is made of the same records and types as the queries (`AssetHolding`, `AssetTotal`,
`SourceTotal`, `SourceError`, `Portfolio`). The first event of a subscription is the current
state (`initial: true`, every holding or asset total listed as added), so a client needs no
separate query; each later one lists what changed since the one before. A failure of the
source is an event too (`errors`, `complete: false`), never the end of the stream. How the
accounts are read, and how often, is `resolvers/live`'s business: one reading serves every
subscriber of the same account.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from resolvers.accounts import resolve_account
from resolvers.live import (
    AssetMove,
    HoldingChange,
    HoldingsEvent,
    LiveContext,
    Mapped,
    PortfolioEvent,
)
from resolvers.portfolio import accounts_of
from schema.account import Account
from schema.holding import AssetHolding
from schema.once import Once
from schema.portfolio import AssetTotal, Portfolio, SourceTotal
from schema.query import AccountRef, PortfolioAccounts, PortfolioIncludesViewer
from schema.scalars import BigInt
from schema.soft import Info
from schema.source_error import SourceError

__all__ = [
    "AssetTotalChange",
    "HoldingAmountChange",
    "HoldingsChangedEvent",
    "PortfolioChangedEvent",
    "Subscription",
]


def _big(value: int | None) -> BigInt | None:
    return BigInt(value) if value is not None else None


@strawberry.type(description="A holding whose amount, price or value moved between two readings.")
class HoldingAmountChange:
    holding: AssetHolding = strawberry.field(description="The holding as read now.")
    previous_amount: Decimal = strawberry.field(description="Its amount before, exact.")
    amount: Decimal = strawberry.field(description="Its amount now, exact.")
    previous_raw_amount: BigInt | None = strawberry.field(
        description="Its amount before in base units, where the source counts in integers."
    )
    raw_amount: BigInt | None = strawberry.field(
        description="Its amount now in base units, where the source counts in integers."
    )
    previous_value_usd: Decimal | None = strawberry.field(
        description="Its USD value before, as the source reported or priced it."
    )
    value_usd: Decimal | None = strawberry.field(description="Its USD value now.")

    @classmethod
    def of(cls, change: HoldingChange) -> HoldingAmountChange:
        previous, current = change.previous, change.current
        return cls(
            holding=AssetHolding.of(current),
            previous_amount=previous.amount,
            amount=current.amount,
            previous_raw_amount=_big(previous.raw_amount),
            raw_amount=_big(current.raw_amount),
            previous_value_usd=previous.value_usd,
            value_usd=current.value_usd,
        )


@strawberry.type(
    description="What changed in one account's holdings since the previous event; the first "
    "event is the current state (every holding in `added`)."
)
class HoldingsChangedEvent:
    account: Account = strawberry.field(description="The account followed.")
    initial: bool = strawberry.field(
        description="True for the first event: the current state, every holding in `added`."
    )
    read_at: datetime = strawberry.field(description="When the reading that saw it was made.")
    round: BigInt | None = strawberry.field(
        description="The Algorand round that reading saw (algod's `round`); null elsewhere."
    )
    added: list[AssetHolding] = strawberry.field(
        description="Holdings that appeared (all of them in the first event)."
    )
    removed: list[AssetHolding] = strawberry.field(
        description="Holdings that are gone, as they were last read. An incomplete reading "
        "(`complete: false`) removes none: what it did not see stays as last read."
    )
    changed: list[HoldingAmountChange] = strawberry.field(
        description="Holdings whose amount, price or value moved, with the old and new amounts."
    )
    holdings_count: int | None = strawberry.field(
        description="How many holdings the account has as last read; null before any reading "
        "succeeded."
    )
    complete: bool = strawberry.field(
        description="False when the last reading failed or read only part of the list (see "
        "`errors`): what it could not read is then as last read."
    )
    errors: list[SourceError] = strawberry.field(
        description="What failed in the last reading (as `Portfolio.errors`); empty when it "
        "read everything."
    )

    @classmethod
    def of(cls, event: HoldingsEvent) -> HoldingsChangedEvent:
        account = Account.of(event.account)
        return cls(
            account=account,
            initial=event.initial,
            read_at=event.read_at,
            round=_big(event.round),
            added=[AssetHolding.of(h) for h in event.added],
            removed=[AssetHolding.of(h) for h in event.removed],
            changed=[HoldingAmountChange.of(change) for change in event.changed],
            holdings_count=event.holdings_count,
            complete=not event.problems,
            errors=[SourceError.of(problem) for problem in event.problems],
        )


@strawberry.type(description="One asset total of the portfolio that appeared, went or moved.")
class AssetTotalChange:
    key: str = strawberry.field(description="The asset identity (`AssetTotal.key`).")
    previous: AssetTotal | None = strawberry.field(
        description="The total before; null when the asset is new to the portfolio."
    )
    current: AssetTotal | None = strawberry.field(
        description="The total now; null when the asset left the portfolio."
    )

    @classmethod
    def of(cls, move: AssetMove) -> AssetTotalChange:
        return cls(
            key=move.key,
            previous=AssetTotal.of(move.previous) if move.previous else None,
            current=AssetTotal.of(move.current) if move.current else None,
        )


@strawberry.type(
    description="The portfolio anew and the asset totals that moved since the previous event; "
    "the first event is the current state (every total in `moved`)."
)
class PortfolioChangedEvent:
    initial: bool = strawberry.field(
        description="True for the first event: the current state, every asset total in `moved`."
    )
    read_at: datetime = strawberry.field(
        description="When the latest reading of the portfolio's accounts was made."
    )
    total_value_usd: Decimal = strawberry.field(
        description="The new total: USD value of every valued holding, exact (as "
        "`Portfolio.totalValueUsd`)."
    )
    by_source: list[SourceTotal] = strawberry.field(
        description="The new totals per source; `complete: false` where part is missing."
    )
    moved: list[AssetTotalChange] = strawberry.field(
        description="The asset totals that appeared, went, or whose amount, price, value or "
        "holdings changed, by key."
    )
    errors: list[SourceError] = strawberry.field(
        description="What is missing (as `Portfolio.errors`); empty when complete."
    )
    portfolio: Portfolio = strawberry.field(
        description="The whole portfolio now, as the `portfolio` query answers it."
    )

    @classmethod
    def of(cls, event: PortfolioEvent) -> PortfolioChangedEvent:
        portfolio = Portfolio.of(event.portfolio)
        return cls(
            initial=event.initial,
            read_at=event.read_at,
            total_value_usd=portfolio.total_value_usd,
            by_source=portfolio.by_source,
            moved=[AssetTotalChange.of(move) for move in event.moved],
            errors=portfolio.listed,
            portfolio=portfolio,
        )


# Each event is turned into the schema's objects once, for all the subscribers it goes to.
_HOLDINGS_EVENTS = Once(HoldingsChangedEvent.of)
_PORTFOLIO_EVENTS = Once(PortfolioChangedEvent.of)


def _live(info: Info) -> LiveContext:
    context = info.context
    if not isinstance(context, LiveContext) or context.hub is None:
        raise RuntimeError("subscriptions are served over WebSocket and SSE only")
    return context


@strawberry.type(description="Holdings and portfolios pushed as they change.")
class Subscription:
    @strawberry.subscription(
        description="Events of one account's holdings: first the current state, then what "
        "was added, removed or changed at each reading that saw a change. On-chain accounts "
        "need no token; the viewer's own CALICO or MESH account needs the bearer token (and "
        "X-Calico-Token) in `connection_init` or the SSE request's headers."
    )
    async def holdings_changed(
        self,
        info: Info,
        account: Annotated[AccountRef, strawberry.argument(description="The account to follow.")],
    ) -> AsyncIterator[HoldingsChangedEvent]:
        context = _live(info)
        record = resolve_account(context, account.source, account.address)
        assert context.hub is not None
        stream = context.hub.holdings(context.caller, record, on_drop=context.on_drop)
        return Mapped(stream, _HOLDINGS_EVENTS)

    @strawberry.subscription(
        description="Events of one portfolio across the accounts named and the viewer's "
        "custodial accounts: first the current state, then the new totals and the asset "
        "totals that moved whenever one of its accounts changed."
    )
    async def portfolio_changed(
        self,
        info: Info,
        accounts: PortfolioAccounts = None,
        include_viewer: PortfolioIncludesViewer = True,
    ) -> AsyncIterator[PortfolioChangedEvent]:
        context = _live(info)
        refs = [(ref.source, ref.address) for ref in accounts or []]
        chosen, problems = accounts_of(context, refs, include_viewer is True)
        assert context.hub is not None
        stream = context.hub.portfolio(context.caller, chosen, problems, on_drop=context.on_drop)
        return Mapped(stream, _PORTFOLIO_EVENTS)
