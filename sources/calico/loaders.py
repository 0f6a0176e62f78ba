"""DataLoaders over Calico, one set per GraphQL request and user.

Every distinct key of a batch is answered by one `GET /accounts/v2/assets` of its own, all sent
at once. Filters go to Calico as the caller gave them: Calico documents neither how it matches
symbols and provider ids (case) nor how it orders a filtered page, so the loader neither rewrites
a filter nor derives one page from another. The user's token lives in the batch function's
closure only, so it is neither in a key, nor in a repr, nor shared between requests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from aiodataloader import DataLoader

from sources.batching import settle_each
from sources.loader import SharedLoader

from .client import MAX_LIMIT, CalicoClient
from .records import AssetsPage

__all__ = ["AssetsKey", "CalicoLoaders", "load_assets"]


@dataclass(frozen=True, slots=True)
class AssetsKey:
    """One page of the user's assets: filters, position and size (normalised by `of`)."""

    symbols: tuple[str, ...] = ()
    """As given (case kept), stripped, sorted, distinct; empty means every symbol."""
    provider_ids: tuple[str, ...] = ()
    """As given (case kept), stripped, sorted, distinct; empty means every provider."""
    cursor: str | None = None
    limit: int = 100

    @classmethod
    def of(
        cls,
        *,
        symbols: Iterable[str] = (),
        provider_ids: Iterable[str] = (),
        cursor: str | None = None,
        limit: int = 100,
    ) -> AssetsKey:
        """The key, normalised so that the same question is the same key: the order of a
        filter list, repeats, surrounding spaces and empty items do not change what Calico is
        asked. Case does: `stETH` and `STETH` are different keys, sent as written."""
        if isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
        return cls(
            symbols=_items("symbols", symbols),
            provider_ids=_items("provider_ids", provider_ids),
            cursor=cursor,
            limit=limit,
        )


def _items(name: str, items: Iterable[str]) -> tuple[str, ...]:
    """The distinct stripped non-empty items, sorted; an item with a comma is refused, since
    Calico takes the list comma-separated."""
    if isinstance(items, str):
        raise TypeError(f"{name} must be a collection of strings, not the string {items!r}")
    values = {item.strip() for item in items} - {""}
    for value in values:
        if "," in value:
            raise ValueError(f"{name} item {value!r} is not a symbol or provider id")
    return tuple(sorted(values))


@dataclass(frozen=True, slots=True)
class CalicoLoaders:
    """The loaders of one GraphQL request for one user; never share them between requests."""

    assets: DataLoader[AssetsKey, AssetsPage]

    @classmethod
    def create(cls, client: CalicoClient, token: str) -> CalicoLoaders:
        """Fresh loaders calling Calico with `token`; call from the running event loop."""

        async def batch(keys: list[AssetsKey]) -> list[AssetsPage]:
            # aiodataloader rejects a key whose slot holds an exception, which its annotation
            # cannot express.
            return cast(list[AssetsPage], await load_assets(client, token, keys))

        return cls(assets=SharedLoader(batch))


async def load_assets(
    client: CalicoClient, token: str, keys: Sequence[AssetsKey]
) -> list[AssetsPage | Exception]:
    """Answer `keys` in order, each slot a page or the exception its request raised; each
    distinct key costs one request, all sent concurrently."""
    return await settle_each(
        keys,
        lambda key: client.assets(
            token,
            symbols=key.symbols,
            provider_ids=key.provider_ids,
            limit=key.limit,
            cursor=key.cursor,
        ),
    )
