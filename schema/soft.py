"""Soft failures: a list field that fails still answers (empty), and its error is reported.

`Account.holdings`, `Account.providers` and the other list fields of the contract are non-null,
so raising in them would null the nearest nullable parent: one failing upstream would wipe the
viewer, or a whole account with its other lists. Instead the field answers an empty (or, for
per-provider failures, partial) list and says what failed twice over:

- **in the data**: the object that answered (a connection, the portfolio; for `providers`, its
  account) lists the failure in its `errors` field, as a typed `SourceError`;
- **as a GraphQL error** with the field's path in `errors`, unless the client read that
  object's `errors` field (`carried`). A response then has top-level errors only for fields
  that are null or whose failure the client did not ask to read, so a client that reads
  partial failures as data gets an error-free answer: Apollo Client's default `errorPolicy`
  ('none') throws away the whole response's data when `errors` is not empty, and gateways that
  merge subgraph answers (Hive Gateway, graphql-tools stitching) keep an error only where a
  field is null.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

import strawberry

from resolvers.context import RequestContext, ResponsePath

__all__ = ["Info", "carried", "report", "soft"]

T = TypeVar("T")
Info = strawberry.Info[RequestContext, Any]


def _path(info: Info) -> ResponsePath:
    return tuple(info.path.as_list())


async def soft(info: Info, work: Awaitable[T], fallback: T, *, on_parent: bool = False) -> T:
    """`await work`, or `fallback` with the error reported on this field (listed by the field's
    own answer, or with `on_parent` by the object the field is on)."""
    try:
        return await work
    except Exception as error:  # every failure is reported, none escapes
        report(info, [error], on_parent=on_parent)
        return fallback


def report(info: Info, errors: Iterable[Exception], *, on_parent: bool = False) -> None:
    """Report errors on this field although it answered (for example a provider down): the
    field's answer lists them in its `errors` (with `on_parent`, the object it is on does)."""
    path = _path(info)
    carrier = path[:-1] if on_parent else path
    for error in errors:
        info.context.report(error, path, carrier)


def carried(info: Info) -> None:
    """This `errors` field is answered: the failures its object lists need no GraphQL error."""
    info.context.carried(_path(info)[:-1], str(info.path.key))
