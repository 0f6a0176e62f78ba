"""Relay cursor connections: `edges { cursor node }`, `pageInfo`, `totalCount`.

One generic pair serves every list; Strawberry names the specialisations after the node type
(`AssetHoldingConnection`, `AssetHoldingEdge`, ...). Resolvers hand over a `Page` whose items
already carry their signed cursors; `Connection.of` maps the records onto node types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry

from resolvers.pagination import Page

__all__ = ["Connection", "Edge", "PageInfo"]

N = TypeVar("N")


@strawberry.type(description="Where a page sits in its list (Relay cursor connections).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether more items follow; walk on with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page (true when `after` was given)."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first item on this page; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="Where to continue with `after`: the last item's cursor, or, when a "
        "filtered scan stopped early, where it stopped; null when there is nothing to resume."
    )


@strawberry.type(description="An item in a list, with the cursor that resumes after it.")
class Edge(Generic[N]):
    cursor: str = strawberry.field(
        description="Opaque, signed position of this item; pass it as `after` to continue."
    )
    node: N = strawberry.field(description="The item.")


@strawberry.type(description="One page of a list, in a stable order (Relay cursor connections).")
class Connection(Generic[N]):
    edges: list[Edge[N]] = strawberry.field(description="The items on this page, with cursors.")
    nodes: list[N] = strawberry.field(description="The items on this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int | None = strawberry.field(
        description="How many items the whole list has; null where the source cannot tell "
        "without reading it all."
    )

    @classmethod
    def of(cls, page: Page[Any], to_node: Callable[[Any], N]) -> Connection[N]:
        """The page's records as nodes, with the cursors the resolvers issued."""
        edges = [Edge(cursor=cursor, node=to_node(item)) for item, cursor in page.items]
        return cls(
            edges=edges,
            nodes=[edge.node for edge in edges],
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=page.end_cursor or (edges[-1].cursor if edges else None),
            ),
            total_count=page.total_count,
        )
