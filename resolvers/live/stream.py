"""A subscription's stream: the async iterator a subscription field returns.

It is a class, not an async generator, so closing it releases what it holds (its place in the
feed, its count against the limits) even when it was never iterated (a generator that never
started would skip its `finally`). graphql-core closes it when the operation ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from resolvers.live.subscriber import Subscriber

__all__ = ["LiveStream", "Mapped"]

E = TypeVar("E")
T = TypeVar("T")


class LiveStream(Generic[E]):
    """Events of one subscriber until closed; `release` runs exactly once."""

    def __init__(
        self,
        subscriber: Subscriber[E],
        release: Callable[[], None],
        *,
        sent: Callable[[], None] | None = None,
        ended: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._subscriber = subscriber
        self._release: Callable[[], None] | None = release
        self._sent = sent
        self._ended = ended

    def __aiter__(self) -> LiveStream[E]:
        return self

    async def __anext__(self) -> E:
        if self._release is None:
            raise StopAsyncIteration
        try:
            event = await self._subscriber.next()
        except BaseException as error:
            if self._ended is not None:
                self._ended(error)
            await self.aclose()
            raise
        if self._sent is not None:
            self._sent()
        return event

    async def aclose(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


class Mapped(Generic[E, T]):
    """`stream` with each event mapped by `map` (the schema's types over the records)."""

    def __init__(self, stream: LiveStream[E], map: Callable[[E], T]) -> None:
        self._stream = stream
        self._map = map

    def __aiter__(self) -> Mapped[E, T]:
        return self

    async def __anext__(self) -> T:
        return self._map(await self._stream.__anext__())

    async def aclose(self) -> None:
        await self._stream.aclose()
