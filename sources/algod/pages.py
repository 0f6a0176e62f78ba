"""One algod request for every page of a batch that starts at the same place.

A request that shows an account's first 20 holdings and also reads all of them (a portfolio
screen) asks algod for the same page twice, with `limit=21` and `limit=1000`. algod's pages are
prefixes of each other: the page after `next` with limit `n` is the first `n` entries of the
page after `next` with any larger limit, and its `next-token` is the last asset id it holds
(UPSTREAMS.md §1.2). So the batch function asks once per `(address, next)`, with the widest
limit, and cuts the narrower pages from that answer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, cast

from sources.algod.records import AssetHolding, AssetHoldingsPage
from sources.batching import settle_each
from sources.parsing import Rejected

__all__ = ["AccountAssetsKey", "resume_after", "widest_pages"]


@dataclasses.dataclass(frozen=True, slots=True)
class AccountAssetsKey:
    """One page of an account's holdings: the page after `next_token`, `limit` long."""

    address: str
    next_token: str | None
    limit: int


def _cut(page: AssetHoldingsPage, limit: int, asked: str | None) -> AssetHoldingsPage:
    """The page algod answers with `limit` after `asked`, from its answer with a larger one."""
    if len(page.entries) <= limit:
        return page
    kept = page.entries[:limit]
    return dataclasses.replace(page, entries=kept, next_token=resume_after(kept, asked) or "0")


def resume_after(entries: Sequence[AssetHolding | Rejected], previous: str | None) -> str | None:
    """The `next` that resumes after the last of `entries`: its asset id; for a holding that
    could not be read, its id if that much was readable, else the last id before it (so the
    next page starts at it again rather than past an unknown id)."""
    for entry in reversed(entries):
        if isinstance(entry, AssetHolding):
            return str(entry.asset_id)
        if entry.label is not None and entry.label.isdigit():
            return entry.label
    return previous


def widest_pages(
    fetch: Callable[[AccountAssetsKey], Awaitable[AssetHoldingsPage]],
) -> Callable[[list[AccountAssetsKey]], Coroutine[Any, Any, list[AssetHoldingsPage]]]:
    """A DataLoader batch function: one `fetch` per `(address, next_token)`, at the widest
    limit asked; each key gets its own page (or the request's exception) in its slot."""

    async def batch(keys: list[AccountAssetsKey]) -> list[AssetHoldingsPage]:
        widest: dict[tuple[str, str | None], int] = {}
        for key in keys:
            start = (key.address, key.next_token)
            widest[start] = max(widest.get(start, 0), key.limit)
        asked = [AccountAssetsKey(a, n, limit) for (a, n), limit in widest.items()]
        answers = dict(zip(widest, await settle_each(asked, fetch), strict=True))
        pages: list[AssetHoldingsPage | Exception] = []
        for key in keys:
            answer = answers[(key.address, key.next_token)]
            pages.append(
                answer if isinstance(answer, Exception) else _cut(answer, key.limit, key.next_token)
            )
        # aiodataloader rejects the slot that holds an exception (see sources/batching.py).
        return cast("list[AssetHoldingsPage]", pages)

    return batch
