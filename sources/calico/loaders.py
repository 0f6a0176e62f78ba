"""DataLoaders over Calico, one set per GraphQL request and user.

Every key of a batch is answered by one `GET /accounts/v2/assets` of its own, all sent at once,
except where one answer already holds another's: see `load_assets`. The user's token lives in
the batch function's closure only, so it is neither in a key, nor in a repr, nor shared between
requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from aiodataloader import DataLoader

from sources.batching import settle

from .client import MAX_LIMIT, CalicoClient
from .records import AssetsPage

__all__ = ["AssetsKey", "CalicoLoaders", "load_assets"]


@dataclass(frozen=True, slots=True)
class AssetsKey:
    """One page of the user's assets: filters, position and size (normalised by `of`)."""

    symbols: tuple[str, ...] = ()
    """Upper-case, sorted, distinct; empty means every symbol."""
    provider_ids: tuple[str, ...] = ()
    """Lower-case, sorted, distinct; empty means every provider."""
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
        """The key, normalised so equal questions are equal keys (Calico matches symbols
        case-insensitively, and the order of a filter list does not matter)."""
        if isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
        return cls(
            symbols=tuple(sorted({value.upper() for value in _items("symbols", symbols)})),
            provider_ids=tuple(
                sorted({value.lower() for value in _items("provider_ids", provider_ids)})
            ),
            cursor=cursor,
            limit=limit,
        )

    @property
    def is_whole_first_page(self) -> bool:
        """The unfiltered first page: if it is also the last, it holds every other key's
        first page of the same size."""
        return self.cursor is None and not self.symbols and not self.provider_ids


def _items(name: str, items: Iterable[str]) -> list[str]:
    """The stripped items; an empty one is refused rather than dropped, since dropping the
    only item would turn a filter into "everything"."""
    if isinstance(items, str):
        raise TypeError(f"{name} must be a collection of strings, not the string {items!r}")
    values = []
    for item in items:
        value = item.strip()
        if not value or "," in value:
            raise ValueError(f"{name} item {item!r} is not a symbol or provider id")
        values.append(value)
    return values


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

        return cls(assets=DataLoader(batch))


async def load_assets(
    client: CalicoClient, token: str, keys: Sequence[AssetsKey]
) -> list[AssetsPage | Exception]:
    """Answer `keys` in order, each slot a page or the exception its request raised.

    Each distinct key costs one request, all sent concurrently, with one saving: a filtered
    first page (`cursor` None) asked in the same batch as the unfiltered first page of the same
    `limit` waits for that page, and if it turned out to be the last one (no `next_cursor`), is
    cut from it locally. This is the same answer Calico would give: a complete unfiltered page
    holds all of the user's assets, so the filtered ones are a subset of at most `limit` items,
    which is again one complete page; Calico filters by selection in a stable order, so
    selecting from the unfiltered order gives the filtered order; and its `errors[]` name the
    failing providers that the provider filter does not exclude, which is what keeping the
    requested providers' entries reproduces. If the unfiltered page fails or has more pages,
    the filtered keys are asked for as usual.
    """
    distinct = list(dict.fromkeys(keys))
    groups = _groups(distinct)
    answered = await asyncio.gather(*(_answer(client, token, group) for group in groups))
    answers = {key: answer for group in answered for key, answer in group}
    return [answers[key] for key in keys]


def _groups(keys: list[AssetsKey]) -> list[list[AssetsKey]]:
    """Each key alone, except filtered first pages, which join the whole first page of their
    size when the batch holds it."""
    wholes = {key.limit: [key] for key in keys if key.is_whole_first_page}
    groups: list[list[AssetsKey]] = list(wholes.values())
    for key in keys:
        if key.is_whole_first_page:
            continue
        if key.cursor is None and key.limit in wholes:
            wholes[key.limit].append(key)
        else:
            groups.append([key])
    return groups


async def _answer(
    client: CalicoClient, token: str, group: list[AssetsKey]
) -> list[tuple[AssetsKey, AssetsPage | Exception]]:
    first, *narrower = group
    [whole] = await settle([_fetch(client, token, first)])
    rest: list[AssetsPage | Exception]
    if isinstance(whole, AssetsPage) and whole.next_cursor is None:
        rest = [_narrow(whole, key) for key in narrower]
    else:
        rest = await settle(_fetch(client, token, key) for key in narrower)
    return list(zip(group, [whole, *rest], strict=True))


async def _fetch(client: CalicoClient, token: str, key: AssetsKey) -> AssetsPage:
    return await client.assets(
        token,
        symbols=key.symbols,
        provider_ids=key.provider_ids,
        limit=key.limit,
        cursor=key.cursor,
    )


def _narrow(whole: AssetsPage, key: AssetsKey) -> AssetsPage:
    symbols = set(key.symbols)
    providers = set(key.provider_ids)
    return AssetsPage(
        assets=tuple(
            asset
            for asset in whole.assets
            if (not symbols or asset.asset_symbol.upper() in symbols)
            and (not providers or asset.provider_id.lower() in providers)
        ),
        errors=tuple(
            failure
            for failure in whole.errors
            if not providers or failure.provider_id.lower() in providers
        ),
        next_cursor=None,
    )
