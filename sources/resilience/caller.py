"""Whose request an upstream call is for: the key the fair queues share a source's budget by.

The server sets it for each GraphQL request, like the request id: the authenticated user's id,
or the client's address when the request carries no valid bearer token (`RequestContext.create`
gets the address from the view). Every task the request starts inherits it, and a shared call
(single flight) keeps the one of the request that started it. No caller set (a client used
outside a request, as in the sources' tests) is one caller of its own.
"""

from __future__ import annotations

from contextvars import ContextVar

__all__ = ["CALLER"]

CALLER: ContextVar[str | None] = ContextVar("holdings_graph_caller", default=None)
