"""Which values a compiled completer may handle itself, and how it gives a value back.

graphql-core treats a resolved value specially when it is an exception (raised as the field's
error), an awaitable (awaited first) or `Undefined` (null). A completer never does any of that:
it admits only values of classes that are none of these, remembered per class, and for anything
else raises `Bail`, so graphql-core completes that value its own way.
"""

from __future__ import annotations

from collections.abc import Awaitable
from types import AsyncGeneratorType, CoroutineType, GeneratorType

from graphql.pyutils.undefined import UndefinedType

__all__ = ["PLAIN", "Bail", "admit"]


class Bail(Exception):
    """Raised by a completer that meets a value it does not complete itself."""


PLAIN: set[type] = {str, int, bool, float, list, tuple, dict}
"""Classes whose instances are never an error, an awaitable or `Undefined` (grows as met)."""

_SPECIAL = (BaseException, CoroutineType, GeneratorType, AsyncGeneratorType, UndefinedType)


def admit(value: object) -> None:
    """Return if graphql-core would complete `value` like any plain value, else raise `Bail`.

    Awaitability is judged by class (an `__await__` method), as for every value the graph's
    types hold; a generator is never admitted, since whether one is awaitable depends on its
    code's flags.
    """
    cls = value.__class__
    if cls in PLAIN:
        return
    if issubclass(cls, _SPECIAL) or issubclass(cls, Awaitable) or hasattr(cls, "__await__"):
        raise Bail
    PLAIN.add(cls)
