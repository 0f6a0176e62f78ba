"""One subscriber's bounded queue of events.

A feed never waits for a subscriber: it offers each event and moves on. A subscriber whose
queue is full when the next event comes is dropped (a slow consumer): its queue is emptied, it
is told why on its next `next()` (`SlowConsumer`), and `on_drop` lets its connection close at
once with its own code. Memory per subscriber is bounded by its queue whatever the feed does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from resolvers.errors import Unauthenticated
from resolvers.live.errors import SlowConsumer

__all__ = ["Subscriber"]

E = TypeVar("E")


class _Dropped:
    """The marker a dropped subscriber finds in its queue."""


_DROPPED = _Dropped()


class Subscriber(Generic[E]):
    """Events for one subscription, at most `size` waiting."""

    def __init__(
        self,
        size: int,
        *,
        expires_at: float | None = None,
        on_drop: Callable[[str], None] | None = None,
    ) -> None:
        self._size = size
        self._queue: asyncio.Queue[E | _Dropped] = asyncio.Queue()
        self._expires_at = expires_at
        self._on_drop = on_drop
        #: Whether the subscriber has had its first event (the current state).
        self.started = False
        self.dropped = False

    def offer(self, event: E) -> bool:
        """Queue `event`; False (and the subscriber dropped) when its queue is full."""
        if self.dropped:
            return False
        if self._queue.qsize() >= self._size:
            self.drop(
                f"slow consumer: {self._size} events were waiting for it (LIVE_QUEUE_EVENTS); "
                "subscribe again for the current state"
            )
            return False
        self._queue.put_nowait(event)
        return True

    def drop(self, reason: str, *, slow: bool = True) -> None:
        """End the subscription for `reason` (the events waiting are thrown away); `on_drop`
        hears of a slow consumer only (a server shutting down closes connections itself)."""
        if self.dropped:
            return
        self.dropped = True
        self._reason = reason
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_DROPPED)
        if slow and self._on_drop is not None:
            self._on_drop(reason)

    async def next(self) -> E:
        """The next event; `SlowConsumer` once dropped, `Unauthenticated` once the bearer
        token has expired."""
        timeout = None
        if self._expires_at is not None:
            timeout = self._expires_at - time.time()
        try:
            if timeout is not None and timeout <= 0:
                raise TimeoutError
            event = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            raise Unauthenticated(
                "the bearer token has expired: the subscription ends; subscribe again with a "
                "new token"
            ) from None
        if isinstance(event, _Dropped):
            raise SlowConsumer(self._reason)
        return event
