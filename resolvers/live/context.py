"""The context of an operation that may subscribe: a `RequestContext` that knows the live hub
and how its connection ends a subscriber at once (a WebSocket closes with its own code)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from resolvers.context import RequestContext
from resolvers.live.hub import LiveHub, OnDrop

__all__ = ["LiveContext"]


@dataclass
class LiveContext(RequestContext):
    hub: LiveHub | None = None
    on_drop: OnDrop | None = None
    #: The `connection_init` payload of a WebSocket (Strawberry sets it).
    connection_params: dict[str, Any] | None = None
    #: The client's address as a caller key (`web.caller_rate.address_caller`): whose a
    #: WebSocket operation is when `connection_init` names no user.
    address_key: str | None = None
