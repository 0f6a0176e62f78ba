"""The typed context of one GraphQL request, and the app-lifetime services it draws on.

`Services` live as long as the app (the sources served and what each opened, clients with their
sessions; the cursor codec, the token verifier, options). A `RequestContext` is made for each
request: the caller's identity and **new loaders**, whose caches must never outlive the request
(they would leak one user's data to another), plus the soft field errors the request collected.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from resolvers.cursors import CursorCodec
from resolvers.identity import Caller, TokenVerifier
from resolvers.options import GraphOptions
from resolvers.scanning import ScanBudget
from resolvers.slots import SourceSlot
from sources import Source
from sources.resilience.budget import CALL_BUDGET
from sources.resilience.caller import CALLER
from sources.resilience.deadline import set_deadline
from telemetry.metrics import Metrics

if TYPE_CHECKING:
    from resolvers.records import RefreshRecord
    from resolvers.sources.registry import SourceRegistry

__all__ = [
    "GraphOptions",
    "Loaders",
    "Problem",
    "RequestContext",
    "ResponsePath",
    "Services",
    "UpstreamCallBudget",
]

ResponsePath = tuple[str | int, ...]

S = TypeVar("S")
L = TypeVar("L")


@dataclass
class UpstreamCallBudget:
    """The upstream requests one GraphQL request may make (`MAX_UPSTREAM_CALLS`).

    `schema/limits` refuses, before execution, an operation whose estimate is over `limit`,
    and records the estimate of one it lets run in `estimated`. While it runs, the upstream
    layer holds it to `limit` (`sources.http.budget`, through `sources.resilience.budget`'s
    `CALL_BUDGET`): each attempt calls `take()` first, and a call `take()` refuses is not sent
    but fails coded; an attempt that was never sent is given back.
    """

    limit: int
    #: The operation's estimate, set before execution (None until then).
    estimated: int | None = None
    #: Upstream requests taken so far.
    spent: int = 0

    def take(self, calls: int = 1) -> bool:
        """Spend `calls` requests; False (and nothing spent) when they would exceed `limit`."""
        if self.spent + calls > self.limit:
            return False
        self.spent += calls
        return True

    def give_back(self, calls: int = 1) -> None:
        """Return `calls` taken for upstream requests that were never sent."""
        self.spent = max(0, self.spent - calls)


@dataclass(frozen=True, slots=True)
class Services:
    """What every request shares: the sources served, what each opened, and the graph's own
    keys and options."""

    sources: SourceRegistry
    #: Each source's state (its client, and what its resolvers need), by source (`SourceSlot`).
    states: Mapping[Source, object]
    cursors: CursorCodec
    verifier: TokenVerifier
    options: GraphOptions
    #: This app's metrics (its own registry); also the observer of every upstream.
    metrics: Metrics = field(default_factory=Metrics)


class Loaders:
    """This request's DataLoaders, one set per source, made on first use."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._made: dict[Source, Any] = {}

    def of(self, slot: SourceSlot[S, L]) -> L:
        """The loaders of `slot`'s source in this request."""
        made = self._made.get(slot.source)
        if made is None:
            made = self._made[slot.source] = slot.make_loaders(slot.state_in(self._services))
        return cast(L, made)

    def forget(self, source: Source) -> None:
        """Drop what this request's loaders of `source` hold: the next load reads afresh."""
        self._made.pop(source, None)


@dataclass(frozen=True, slots=True)
class Problem:
    """A field error that did not null its field (a list that came back empty or partial)."""

    error: Exception
    #: The response path of the field that met it.
    path: ResponsePath
    #: The response path of the object whose `errors` field lists it in the data.
    carrier: ResponsePath


@dataclass
class RequestContext:
    """Strawberry's `info.context` for one request."""

    services: Services
    caller: Caller
    loaders: Loaders
    #: Field errors that did not null their field (a connection that came back empty or
    #: partial). The schema reports them with the response.
    problems: list[Problem] = field(default_factory=list)
    #: The objects whose `errors` field was answered: (the object's response path, the
    #: field's response key). Not an init field, so each operation of a batch (a
    #: `dataclasses.replace` of the request's context) starts with none.
    carriers: set[tuple[ResponsePath, str]] = field(default_factory=set, init=False)
    #: The soft errors left out of the response's `errors` because its data lists them.
    listed: list[Problem] = field(default_factory=list, init=False)
    #: Upstream pages the graph's own filters and lookups may still read in this request.
    scan: ScanBudget = field(default_factory=ScanBudget)
    #: Upstream requests this request may make, and what its operation was estimated at.
    upstream_calls: UpstreamCallBudget = field(
        default_factory=lambda: UpstreamCallBudget(GraphOptions().max_upstream_calls)
    )
    #: The refresh each source was asked for in this request (`refreshHoldings` asks once).
    refreshes: dict[Source, asyncio.Future[RefreshRecord]] = field(default_factory=dict)
    #: Set by the resolvers that read one user's (custodial) data: the response is then
    #: `Cache-Control: private, no-store`, whatever headers came.
    personal: bool = False
    #: False once the operation is a mutation (never cached).
    read_only: bool = True
    #: The response goes out in parts (`multipart/mixed`): `@defer` and `@stream` take effect.
    #: Otherwise they are executed inline and the response comes whole (`schema/delivery.py`).
    deliver_incrementally: bool = False
    #: The lock the operations of one caller take turns on while completing long lists (a
    #: WebSocket connection's share one, `schema/turns.py`): None, a request of its own.
    turns: asyncio.Lock | None = None

    @property
    def options(self) -> GraphOptions:
        return self.services.options

    @property
    def caller_id(self) -> str | None:
        """The authenticated user's id, if any (who may resume custodial cursors)."""
        identity = self.caller.identity
        return identity.user_id if identity is not None else None

    def mark_personal(self) -> None:
        """This response carries one user's data: no cache may keep it."""
        self.personal = True

    def report(self, error: Exception, path: ResponsePath, carrier: ResponsePath) -> None:
        """`error` met at `path`; the object at `carrier` lists it in its `errors` field."""
        self.problems.append(Problem(error, path, carrier))

    def carried(self, carrier: ResponsePath, key: str) -> None:
        """The object at `carrier` answered its `errors` field, under the response key `key`."""
        self.carriers.add((carrier, key))

    @classmethod
    def create(cls, services: Services, caller: Caller, *, caller_key: str | None = None) -> Self:
        """A context for a new request whose deadline starts now; `caller_key` says whose
        request it is (the user, or the client's address without a valid bearer token).

        The deadline, the budget of upstream calls and the caller key (how the sources' queues
        share their budgets fairly) are set in the current `contextvars` context, which the
        request's execution and every loader task it starts inherit (`sources.resilience`).
        """
        set_deadline(services.options.request_deadline_seconds)
        budget = UpstreamCallBudget(services.options.max_upstream_calls)
        CALL_BUDGET.set(budget)
        CALLER.set(caller_key)
        return cls(services, caller, Loaders(services), upstream_calls=budget)
