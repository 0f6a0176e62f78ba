"""Subscriptions over Server-Sent Events: the graphql-sse protocol's distinct connections mode,
as Strawberry's view speaks it.

A request that accepts `text/event-stream` (POST with a JSON body, or GET with `query` and
`variables` in the URL, which is what a browser's plain `EventSource` can send) is one
operation on its own connection: each result is an `event: next` whose `data` is the JSON
result, the end is `event: complete`, and a comment (`: ping`) goes out every
`LIVE_HEARTBEAT_SECONDS`, so proxies keep the connection open. The
bearer token and `X-Calico-Token` are the request's own headers. Strawberry implements this
mode (`strawberry.http.streaming.SSETransport`, enabled by `subscription_protocols`); this
module only sets the heartbeat and tells such requests apart before GraphQL-over-HTTP's
media-type negotiation, which knows only JSON.

The single connection mode (a reserved stream with operations posted beside it under a token)
is not served: it needs each reservation to live on one replica, and distinct connections are
what `graphql-sse`'s client and `EventSource` use by default (HTTP/2 shares one TCP connection
among them anyway).
"""

from __future__ import annotations

from strawberry.http.streaming import SSETransport

__all__ = ["EVENT_STREAM", "sse_transport", "wants_event_stream"]

EVENT_STREAM = "text/event-stream"


def wants_event_stream(accept: str | None) -> bool:
    """Whether an `Accept` header asks for an event stream."""
    return any(
        part.split(";", 1)[0].strip().lower() == EVENT_STREAM for part in (accept or "").split(",")
    )


def sse_transport(heartbeat_seconds: float) -> type[SSETransport]:
    """Strawberry's SSE transport with our heartbeat (the view instantiates it without
    arguments)."""

    class LiveSSETransport(SSETransport):
        def __init__(self, heartbeat_interval: float = heartbeat_seconds) -> None:
            super().__init__(heartbeat_interval)

    return LiveSSETransport
