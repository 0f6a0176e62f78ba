"""The auth layer: runs the request's `Auth` flow, if it has one (httpx's `_send_handling_auth`).

It sits below the shared cache and the single flight, so credentials are asked for only when a
request really goes upstream: an answer from the cache, or one shared with a concurrent identical
read, costs no token. It sits above the breaker, so each request the flow sends is a call of its
own to the source (a 401 and the retry with a fresh token are two), and a failure of whatever the
flow asks for its credentials (an identity server, with a chain of its own) never reaches this
source's breaker, budget or retries.
"""

from __future__ import annotations

from typing import Any

from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Send, Setup

__all__ = ["MAX_AUTH_REQUESTS", "AuthLayer"]

MAX_AUTH_REQUESTS = 4
"""More requests than any flow needs for one call (CardanoBI's takes two at most)."""


class AuthLayer:
    """Sends what the flow yields, and hands each answer back to it."""

    def __init__(self, next_layer: Send, setup: Setup) -> None:
        self._next = next_layer

    async def __call__(self, request: UpstreamRequest[Any]) -> UpstreamResponse:
        if request.auth is None:
            return await self._next(request)
        flow = request.auth.flow(request)
        try:
            sending = await anext(flow)
            for _ in range(MAX_AUTH_REQUESTS):
                response = await self._next(sending)
                try:
                    sending = await flow.asend(response)
                except StopAsyncIteration:
                    return response
            raise RuntimeError(f"an auth flow asked for more than {MAX_AUTH_REQUESTS} requests")
        finally:
            await flow.aclose()
