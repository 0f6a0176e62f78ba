"""Demand-control directives, so a router can price a query before running it.

Apollo Router's demand control (and other routers reading the same `@cost`/`@listSize`
directives of Federation 2.9) estimates a query's cost from the schema: a connection's size is
its `first` argument (`@listSize(slicingArguments: ["first"])`, sized on `edges` and `nodes`),
and a field that reads an upstream weighs more than one that only shapes data already read.
"""

from __future__ import annotations

from strawberry import UNSET
from strawberry.federation.schema_directives import Cost, ListSize

__all__ = ["CONNECTION_SIZE", "UPSTREAM_READ", "UPSTREAM_READ_WEIGHT"]

#: How a router sizes a connection: `first` items in `edges` and in `nodes`. `first` is
#: optional (it defaults to 20), so a query need not name it.
CONNECTION_SIZE = ListSize(
    assumed_size=UNSET,  # no fixed size: the router reads `first`
    slicing_arguments=["first"],
    sized_fields=["edges", "nodes"],
    require_one_slicing_argument=False,
)

#: Weight of a field that reads an upstream (at least one HTTP call per account it is asked on),
#: against 1 for a plain object.
UPSTREAM_READ_WEIGHT = 10
UPSTREAM_READ = Cost(weight=UPSTREAM_READ_WEIGHT)
