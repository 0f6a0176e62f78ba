"""`SourceDefinition`: everything one source provides, in the one place that says so.

A source is a package that registers one definition (`resolvers/sources/algorand.py` composes
`sources/algod/` with `resolvers/algorand.py`); the graph reaches a source only through it:

    config         its settings block (`sources.config.SourceConfig`), read by flat names
    open           its state for the app's lifetime (client and sessions), from the block
    sandbox        its embedded sandbox, run when the block has no URL
    calls          what its fields may cost upstream (the query limits' estimates)
    account        `account(source:, address:)`: the checked account (bad input, or another
                   user's custodial account, refused before any upstream call)
    holdings       `Account.holdings`, one page
    read_all       every holding of one account up to a cap (the portfolio)
    holding_node   `node(id:)` of an `AssetHolding`: a lookup, or None for a key that cannot be
    asset_node     one of this source's (checked before any upstream call); same for an `Asset`
    positions, position_node, providers, account_problems, viewer_account, refresh
                   what only some sources have (None: the source has none)

Every resolver takes the request's context; the source's own state and loaders come from its
`slot` (`resolvers/slots.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from resolvers.context import RequestContext
from resolvers.holding_query import HoldingQuery
from resolvers.identity import Identity
from resolvers.pagination import Page, Window
from resolvers.records import (
    AccountRecord,
    AssetRecord,
    HoldingRecord,
    HoldingsRead,
    PositionKind,
    PositionRecord,
    ProviderRecord,
    RefreshRecord,
)
from resolvers.slots import SourceSlot
from resolvers.upstream_calls import UpstreamCalls
from sources import Source
from sources.config import SourceConfig
from sources.http import HttpUpstream
from sources.observe import UpstreamObserver

if TYPE_CHECKING:
    # The server side of aiohttp is loaded only where a sandbox runs.
    from sources.sandboxing import Sandbox

__all__ = [
    "HoldingsResolver",
    "Key",
    "SourceDefinition",
    "SourceOpener",
    "ready",
]

B = TypeVar("B", bound=SourceConfig)
S = TypeVar("S")
L = TypeVar("L")

Key = tuple[str, ...]
"""What names a holding within its account, or an asset within its source (a global id's
parts after the source and address)."""


class SourceOpener(Protocol):
    """What the app lends a source to open its upstreams: each with the source's configured
    policy (timeouts, retries, breaker, rate, concurrency), closed when the app stops."""

    @property
    def observer(self) -> UpstreamObserver:
        """The app's observer of upstream calls (its metrics)."""
        ...

    async def open(self, url: str) -> HttpUpstream:
        """The source's upstream at `url`: its session and breaker are the source's."""
        ...

    async def open_beside(self, url: str, name: str, observer: UpstreamObserver) -> HttpUpstream:
        """A second upstream of the source (an identity server): its own session, breaker
        and rate budget, messages that call it `name`, calls reported through `observer`."""
        ...


class HoldingsResolver(Protocol):
    def __call__(
        self,
        context: RequestContext,
        account: AccountRecord,
        window: Window,
        query: HoldingQuery,
        *,
        count: bool,
    ) -> Awaitable[Page[HoldingRecord]]:
        """One page of the account's holdings; `count`: whether `totalCount` is asked."""
        ...


@dataclass(frozen=True, eq=False)
class SourceDefinition(Generic[B, S, L]):
    """One source: what it is configured with, opens, serves and costs."""

    slot: SourceSlot[S, L]
    description: str
    """The schema's description of the source's `Source` value."""
    config: type[B]
    open: Callable[[SourceOpener, B], Awaitable[S]]
    sandbox: Callable[[], Sandbox]
    calls: Callable[[B], UpstreamCalls]
    account: Callable[[RequestContext, str], AccountRecord]
    holdings: HoldingsResolver
    read_all: Callable[[RequestContext, AccountRecord, int], Awaitable[HoldingsRead]]
    holding_node: Callable[
        [RequestContext, AccountRecord, Key], Awaitable[HoldingRecord | None] | None
    ]
    asset_node: Callable[[RequestContext, Key], Awaitable[AssetRecord | None] | None]
    positions: (
        Callable[
            [RequestContext, AccountRecord, Window, PositionKind | None],
            Awaitable[Page[PositionRecord]],
        ]
        | None
    ) = None
    position_node: (
        Callable[[RequestContext, AccountRecord, Key], Awaitable[PositionRecord | None] | None]
        | None
    ) = None
    providers: (
        Callable[[RequestContext, AccountRecord], Awaitable[Sequence[ProviderRecord]]] | None
    ) = None
    """`Account.providers` (custodial access already checked); None: it lists none."""
    account_problems: (
        Callable[[RequestContext, AccountRecord], Awaitable[Sequence[Exception]]] | None
    ) = None
    """`Account.errors`: what failed of an account as a whole (its providers' listing, a
    provider it could not read); custodial access already checked. None: nothing to read, so
    nothing fails (the providers are known without a call)."""
    viewer_account: Callable[[Identity], AccountRecord | None] | None = None
    """The viewer's own account here, if they have one (custodial sources)."""
    refresh: Callable[[RequestContext, Identity], Awaitable[RefreshRecord]] | None = None
    """`refreshHoldings`: ask the upstream to read the viewer's holdings again."""

    @property
    def source(self) -> Source:
        return self.slot.source

    def configured(self, config: SourceConfig) -> B:
        """`config` as this source's block (the settings hold one per source)."""
        if not isinstance(config, self.config):
            raise TypeError(
                f"{self.source.value} is configured by {self.config.__name__}, "
                f"not {type(config).__name__}"
            )
        return config


T = TypeVar("T")


async def ready(value: T) -> T:
    """`value` as a lookup that needs no upstream call."""
    return value
