"""Orderings of `byAsset`, and its pages: keyset cursors over a unique sort key.

Every ordering ends with the identity key, which is unique, so the order is total. A cursor
holds the sort key of the item it follows (not an offset), so a page resumes strictly after
that item even when values changed between requests: no item is skipped because another moved,
and none is shown twice.

    VALUE_DESC   valued totals by value, highest first; then the unvalued; then identity key
    VALUE_ASC    valued totals by value, lowest first; then the unvalued; then identity key
    SYMBOL_ASC   by symbol (case-insensitive, then as written); no symbol last; then key
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from resolvers.context import RequestContext
from resolvers.numbers import plain
from resolvers.pagination import Page, Pager, Walked, Window
from resolvers.portfolio.filters import TotalQuery
from resolvers.portfolio.records import AssetTotalRecord, PortfolioRecord

__all__ = ["AssetOrder", "assets_page", "binding_of"]

_Position = tuple[int, str | None, str]
"""(0 for the items that have the sorted value and 1 for those that do not, the value as
text, the identity key): JSON-able, for the cursor."""


class AssetOrder(StrEnum):
    VALUE_DESC = "VALUE_DESC"
    VALUE_ASC = "VALUE_ASC"
    SYMBOL_ASC = "SYMBOL_ASC"


def _position(order: AssetOrder, item: AssetTotalRecord) -> _Position:
    key = item.identity.key
    if order is AssetOrder.SYMBOL_ASC:
        symbol = item.identity.symbol
        return (0, symbol, key) if symbol else (1, None, key)
    value = item.value_usd
    return (0, plain(value), key) if value is not None else (1, None, key)


def _comparable(order: AssetOrder, position: _Position) -> tuple[Any, ...]:
    rank, text, key = position
    if order is AssetOrder.SYMBOL_ASC:
        return (rank, (text or "").casefold(), text or "", key)
    value = Decimal(text) if text is not None else Decimal(0)
    return (rank, -value if order is AssetOrder.VALUE_DESC else value, key)


def _resumed(order: AssetOrder, value: object) -> _Position | None:
    """The position a cursor carried, if it has the right shape for `order` (cursors are
    signed and bound to their order, so a wrong shape is only an older server's; it restarts
    the list)."""
    if (
        isinstance(value, list)
        and len(value) == 3
        and value[0] in (0, 1)
        and (value[1] is None or isinstance(value[1], str))
        and isinstance(value[2], str)
    ):
        if value[1] is not None and order is not AssetOrder.SYMBOL_ASC:
            try:
                Decimal(value[1])
            except InvalidOperation:
                return None
        return (value[0], value[1], value[2])
    return None


def binding_of(caller: str | None, accounts: Sequence[str]) -> str:
    """A short digest naming whose portfolio over which accounts (a cursor's binding)."""
    text = "\n".join([caller or "", *sorted(accounts)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def assets_page(
    context: RequestContext,
    portfolio: PortfolioRecord,
    window: Window,
    order: AssetOrder,
    query: TotalQuery,
) -> Page[AssetTotalRecord]:
    """One page of the portfolio's asset totals in `order`, filtered by `query`."""
    pager = Pager(
        f"portfolio.byAsset:{portfolio.binding}:{order.value}:{query.canonical}",
        user=context.caller_id,
    )
    codec = context.services.cursors
    start = _resumed(order, pager.resume(codec, window, context.caller_id))
    listed = sorted(
        (
            (_comparable(order, _position(order, item)), _position(order, item), item)
            for item in portfolio.totals
            if query.keeps(item)
        ),
        key=lambda entry: entry[0],
    )
    if start is not None:
        after = _comparable(order, start)
        listed = [entry for entry in listed if entry[0] > after]
    chosen = listed[: window.first]
    walked = Walked(
        [(item, list(position)) for _, position, item in chosen],
        has_next=len(listed) > window.first,
    )
    total_count = sum(1 for item in portfolio.totals if query.keeps(item))
    return pager.page(codec, window, walked, total_count=total_count)
