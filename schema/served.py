"""Types served as the resolvers' records themselves: no copy into a look-alike object.

A record whose attributes are a type's fields (`AssetRecord` for `Asset`, `HoldingRecord` for
`AssetHolding`, ...) is handed to the executor as it is; the type's `is_type_of` (from
`served_as`) tells graphql-core, and the interfaces and unions it belongs to, that the record is
one of it. That test is a class test and nothing else, so a compiled plan
(`schema/execution/`) may call it as it calls Strawberry's own (`is_pure_type_test`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_pure_type_test", "served_as"]

_PURE_MARK = "holdings_pure_type_test"


def served_as(record: type) -> Any:
    """A type's `is_type_of` (a classmethod) that takes the instances of `record`."""

    def is_type_of(cls: type, obj: object, info: object) -> bool:
        return isinstance(obj, record)

    setattr(is_type_of, _PURE_MARK, True)
    return classmethod(is_type_of)


def is_pure_type_test(is_type_of: object) -> bool:
    """Whether `is_type_of` is one of `served_as`'s (a bound method reads its function's mark)."""
    return getattr(is_type_of, _PURE_MARK, False) is True
