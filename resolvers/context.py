"""The typed context of one GraphQL request, and the app-lifetime services it draws on.

`Services` live as long as the app (clients with their sessions, the cursor codec, the token
verifier, options). A `RequestContext` is made for each request: the caller's identity and
**new loaders**, whose caches must never outlive the request (they would leak one user's data to
another), plus the soft field errors the request collected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Self

from resolvers.cursors import CursorCodec
from resolvers.identity import Caller, TokenVerifier
from resolvers.scanning import ScanBudget
from sources import Source
from sources.algod.client import AlgodClient
from sources.algod.loaders import AlgodLoaders
from sources.calico.client import CalicoClient
from sources.calico.loaders import CalicoLoaders
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.identifiers import CARDANO_NETWORKS, CardanoNetwork
from sources.cardanobi.loaders import CardanoBILoaders
from sources.mesh.client import MeshClient
from sources.mesh.loaders import MeshLoaders
from sources.resilience.deadline import set_deadline
from telemetry.metrics import Metrics

__all__ = ["GraphOptions", "Loaders", "RequestContext", "Services", "UpstreamCallBudget"]


@dataclass(frozen=True, slots=True)
class GraphOptions:
    """Limits and network choices, from settings."""

    algorand_chain: str = "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"
    cardano: CardanoNetwork = CARDANO_NETWORKS["mainnet"]
    default_first: int = 20
    max_first: int = 100
    max_ids: int = 100
    cardanobi_page_size: int = 100
    calico_page_size: int = 100
    #: Most holdings the portfolio reads of one account (`PORTFOLIO_MAX_HOLDINGS`).
    portfolio_max_holdings: int = 10_000
    #: How long one GraphQL request may spend on upstream calls (`REQUEST_DEADLINE_SECONDS`).
    request_deadline_seconds: float = 20.0
    # Hostile-query limits, checked by `schema/limits.py` before any resolver runs.
    max_query_depth: int = 15
    max_query_aliases: int = 256
    max_query_tokens: int = 5000
    max_query_cost: int = 100_000
    max_query_selections: int = 10_000
    max_query_overlaps: int = 50_000
    max_response_fields: int = 300_000
    max_upstream_calls: int = 1_000


@dataclass
class UpstreamCallBudget:
    """The upstream requests one GraphQL request may make (`MAX_UPSTREAM_CALLS`).

    `schema/limits` refuses, before execution, an operation whose estimate is over `limit`,
    and records the estimate of one it lets run in `estimated`. This is the seam for the
    upstream layer to hold a request to its budget while it runs: it calls `take()` before
    each upstream request and, when that is False, fails the call coded instead of sending it.
    (Nothing calls `take()` yet: enforcement during execution belongs to the upstream layer.)
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


@dataclass(frozen=True, slots=True)
class Services:
    """What every request shares: upstream clients and the graph's own keys and options."""

    algod: AlgodClient
    cardanobi: CardanoBIClient
    calico: CalicoClient
    mesh: MeshClient
    cursors: CursorCodec
    verifier: TokenVerifier
    options: GraphOptions
    #: This app's metrics (its own registry); also the observer of every upstream.
    metrics: Metrics = field(default_factory=Metrics)


class Loaders:
    """This request's DataLoaders, one set per source, made on first use."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._calico: dict[str, CalicoLoaders] = {}

    @cached_property
    def algod(self) -> AlgodLoaders:
        return AlgodLoaders.create(self._services.algod)

    @cached_property
    def cardanobi(self) -> CardanoBILoaders:
        return CardanoBILoaders.create(self._services.cardanobi)

    @cached_property
    def mesh(self) -> MeshLoaders:
        return MeshLoaders.create(self._services.mesh)

    def calico(self, token: str) -> CalicoLoaders:
        """Calico loaders for the caller's own token (one user per request)."""
        loaders = self._calico.get(token)
        if loaders is None:
            loaders = self._calico[token] = CalicoLoaders.create(self._services.calico, token)
        return loaders

    def forget(self, source: Source) -> None:
        """Drop what this request's loaders of `source` hold: the next load reads afresh."""
        if source is Source.CALICO:
            self._calico.clear()
            return
        name = {Source.ALGORAND: "algod", Source.CARDANO: "cardanobi", Source.MESH: "mesh"}
        self.__dict__.pop(name[source], None)  # a cached_property is recreated on next use


@dataclass
class RequestContext:
    """Strawberry's `info.context` for one request."""

    services: Services
    caller: Caller
    loaders: Loaders
    #: Field errors that did not null their field (a connection that came back empty or
    #: partial): (error, response path). The schema reports them with the response.
    problems: list[tuple[Exception, list[str | int]]] = field(default_factory=list)
    #: Upstream pages the graph's own filters and lookups may still read in this request.
    scan: ScanBudget = field(default_factory=ScanBudget)
    #: Upstream requests this request may make, and what its operation was estimated at.
    upstream_calls: UpstreamCallBudget = field(
        default_factory=lambda: UpstreamCallBudget(GraphOptions().max_upstream_calls)
    )
    #: Set by the resolvers that read one user's (custodial) data: the response is then
    #: `Cache-Control: private, no-store`, whatever headers came.
    personal: bool = False
    #: False once the operation is a mutation (never cached).
    read_only: bool = True

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

    def report(self, error: Exception, path: list[str | int]) -> None:
        self.problems.append((error, path))

    @classmethod
    def create(cls, services: Services, caller: Caller) -> Self:
        """A context for a new request, whose deadline starts now.

        The deadline is set in the current `contextvars` context, which the request's execution
        and every loader task it starts inherit (`sources.resilience.deadline`).
        """
        set_deadline(services.options.request_deadline_seconds)
        budget = UpstreamCallBudget(services.options.max_upstream_calls)
        return cls(services, caller, Loaders(services), upstream_calls=budget)
