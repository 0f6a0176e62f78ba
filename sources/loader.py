"""`SharedLoader`: the DataLoader every source's loaders are, aiodataloader's made safe to leave.

aiodataloader hands every caller of one key the same future (its cache), and a batch answers
each key by setting that future. A task cancelled while it awaits a future cancels the future
itself, so one caller leaving would take the answer away from every other caller of the key:
they would get `CancelledError` (a `BaseException`, which no resolver or graphql-core catches:
the whole response fails), and so would every later caller in the request, from the cache.
graphql-core cancels callers as a matter of course: when a field's error nulls its parent, the
parent's other fields stop (`gather_with_cancel`), and a response sent in parts cancels what is
left when its client leaves.

So each caller awaits its own shield of the shared future: leaving cancels only the caller's
wait. The batch still sets the shared future, for the callers still there and those to come
(a batch runs in a task of its own, whoever waits: aiodataloader does not stop a batch whose
callers all left). A failure no caller waits for any more is marked read (a cancelled shield
stops watching its future), so asyncio does not log it as an exception never retrieved: each
caller that waits gets it all the same.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any, TypeVar

from aiodataloader import DataLoader

__all__ = ["SharedLoader"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SharedLoader(DataLoader[K, V]):
    """A `DataLoader` whose callers may be cancelled without cancelling each other."""

    def load(self, key: K) -> asyncio.Future[V]:
        shared = super().load(key)
        if not shared.done():
            shared.add_done_callback(_read)
        return asyncio.shield(shared)


def _read(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
