"""Soft failures: a list field that fails still answers (empty), and its error is reported.

`Account.holdings`, `Account.providers` and the other list fields of the contract are non-null,
so raising in them would null the nearest nullable parent: one failing upstream would wipe the
viewer, or a whole account with its other lists. Instead the field answers an empty (or, for
per-provider failures, partial) list and the error is reported with the field's path in
`errors`, so the rest of the response stays intact and the client still sees what failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

import strawberry

from resolvers.context import RequestContext

__all__ = ["Info", "report", "soft"]

T = TypeVar("T")
Info = strawberry.Info[RequestContext, Any]


async def soft(info: Info, work: Awaitable[T], fallback: T) -> T:
    """`await work`, or `fallback` with the error reported on this field."""
    try:
        return await work
    except Exception as error:  # every failure is reported, none escapes
        info.context.report(error, list(info.path.as_list()))
        return fallback


def report(info: Info, errors: Iterable[Exception]) -> None:
    """Report errors on this field although it answered (for example a provider down)."""
    for error in errors:
        info.context.report(error, list(info.path.as_list()))
