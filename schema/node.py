"""The `Node` interface: every object with a global id that `node(id:)` finds again."""

from __future__ import annotations

import strawberry

__all__ = ["Node"]


@strawberry.interface(description="An object with a global id; `node(id:)` returns it again.")
class Node:
    id: strawberry.ID = strawberry.field(
        description="Global, opaque id of this object; stable across requests."
    )
