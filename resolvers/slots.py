"""`SourceSlot`: how a source's own resolvers reach what the source opened and its loaders.

A source's `open` makes its state once for the app (its client, and what its resolvers need of
its settings: a chain id, a page size), kept in `Services.states` under the source; its loaders
are made from that state once per request, on first use, in the request's `Loaders`. The slot is
the typed key to both, so a resolver reads `SLOT.loaders(context).account_assets` with the
types of its own source, and nothing outside the source names them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from sources import Source

if TYPE_CHECKING:
    from resolvers.context import RequestContext, Services

__all__ = ["SourceSlot"]

S = TypeVar("S")
L = TypeVar("L")


@dataclass(frozen=True, eq=False)
class SourceSlot(Generic[S, L]):
    """The state (`S`) and per-request loaders (`L`) of `source`."""

    source: Source
    state_type: type[S]
    make_loaders: Callable[[S], L]
    """New loaders (empty caches) over the state: called once per request, on first use."""

    def state_in(self, services: Services) -> S:
        """What the source opened for this app."""
        state = services.states.get(self.source)
        if not isinstance(state, self.state_type):
            raise LookupError(f"the app serves no {self.source.value} (it opened no state for it)")
        return state

    def state(self, context: RequestContext) -> S:
        return self.state_in(context.services)

    def loaders(self, context: RequestContext) -> L:
        """This request's loaders of the source."""
        return context.loaders.of(self)
