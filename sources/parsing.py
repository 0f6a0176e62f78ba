"""Reading decoded upstream JSON into typed values, or failing with `UpstreamBadResponse`.

Clients build their records through `JsonObject`, so a missing field, a wrong type or an absurd
number becomes one coded error naming the source and the field, never a `KeyError` deep in a
resolver. Numbers stay exact: integers as `int`, quantities as `Decimal` (from a JSON number or
from a numeric string), never a float.

A `Decimal` is also bounded: a 30-byte answer such as `1e999999999999999999` is a valid JSON
number, yet formatting it, multiplying it or turning it into an `int` can take gigabytes or
minutes downstream. So `decimal` accepts magnitudes of 1e-60..1e60 and at most 80 significant
digits, far beyond any amount or price, and refuses the rest without repeating them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from sources.errors import UpstreamBadResponse
from sources.source import Source

__all__ = [
    "MAX_ADJUSTED_EXPONENT",
    "MAX_SIGNIFICANT_DIGITS",
    "UINT64_MAX",
    "JsonObject",
    "Rejected",
    "expect_list",
    "expect_object",
    "read_each",
]

T = TypeVar("T")

UINT64_MAX = 2**64 - 1
"""The largest unsigned 64-bit integer: algod's amounts, totals and ids."""
MAX_ADJUSTED_EXPONENT = 60
"""`decimal` accepts numbers whose `adjusted()` exponent lies in -60..60."""
MAX_SIGNIFICANT_DIGITS = 80
"""`decimal` accepts numbers of at most this many significant digits."""

# RFC 8259's number grammar, ASCII digits only: `Decimal()` alone would also take "1_000",
# " 1 ", "+1", "١٢٣" (Arabic-Indic digits), "NaN" and "Infinity".
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def expect_object(source: Source, value: Any, where: str) -> JsonObject:
    """`value` as a JSON object, or a bad-response error naming `where`."""
    if not isinstance(value, Mapping):
        raise _bad(source, f"{where} is not a JSON object")
    return JsonObject(source, value, where)


def expect_list(source: Source, value: Any, where: str) -> list[Any]:
    """`value` as a JSON array, or a bad-response error naming `where`."""
    if not isinstance(value, list):
        raise _bad(source, f"{where} is not a JSON array")
    return value


@dataclass(frozen=True, slots=True)
class Rejected:
    """One item of a list answer that could not be read: where it was, and why. The rest of
    the list is kept; whoever shows the list reports this beside it."""

    index: int
    """Its place in the answer (from 0)."""
    label: str | None
    """What the item calls itself, when that could be read and is a plain identifier (an
    asset id, a fingerprint, a symbol); never free text from the upstream."""
    failure: UpstreamBadResponse
    """The coded error naming the item, as the parse made it: never raised itself, since a
    parsed page is shared (the cache of public reads, the single flight) and raising an
    exception writes its traceback and context into it. Read `error`."""

    @property
    def error(self) -> UpstreamBadResponse:
        """The coded error naming the item: a copy of its own for each caller to raise."""
        return self.failure.again()


# A label is quoted in messages: an identifier, never free text (it could carry anything).
_LABEL = re.compile(r"[A-Za-z0-9._:$-]{1,64}")


def read_each(
    source: Source,
    items: Sequence[Any],
    where: str,
    read: Callable[[JsonObject], T],
    label: Callable[[Mapping[str, Any]], object] | None = None,
) -> tuple[T | Rejected, ...]:
    """Every item of a JSON array read on its own: a malformed one costs only itself (a
    `Rejected` in its place, naming it), never the list. `label` picks what an item calls
    itself from its raw JSON object, for messages."""
    out: list[T | Rejected] = []
    for index, item in enumerate(items):
        place = f"{where}[{index}]"
        named = _label_of(item, label)
        if named is not None:
            place += f" ({named})"
        try:
            out.append(read(expect_object(source, item, place)))
        except UpstreamBadResponse as error:
            # Kept without the parse's frames: the page may be kept and shared for its TTL.
            out.append(Rejected(index, named, error.with_traceback(None)))
    return tuple(out)


def _label_of(item: Any, label: Callable[[Mapping[str, Any]], object] | None) -> str | None:
    if label is None or not isinstance(item, Mapping):
        return None
    try:
        value = label(item)
    except (AttributeError, KeyError, TypeError):  # a label is a courtesy: never a failure
        return None
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return text if _LABEL.fullmatch(text) else None


def _bad(source: Source, detail: str) -> UpstreamBadResponse:
    return UpstreamBadResponse(
        source, f"{source.upstream} answered with an unexpected shape: {detail}"
    )


class JsonObject:
    """Typed, exact access to the fields of one JSON object from `source`."""

    __slots__ = ("_data", "source", "where")

    def __init__(self, source: Source, data: Mapping[str, Any], where: str) -> None:
        self.source = source
        self._data = data
        self.where = where

    def bad(self, detail: str) -> UpstreamBadResponse:
        """An error for this object: `detail` says what is wrong with it."""
        return _bad(self.source, f"{self.where}: {detail}")

    def has(self, key: str) -> bool:
        return self._data.get(key) is not None

    def raw(self, key: str) -> Any:
        return self._data.get(key)

    def _get(self, key: str) -> Any:
        value = self._data.get(key)
        if value is None:
            raise self.bad(f"field {key!r} is missing")
        return value

    def integer(self, key: str, *, minimum: int = 0, maximum: int = UINT64_MAX) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.bad(f"field {key!r} is not an integer")
        if not minimum <= value <= maximum:
            raise self.bad(f"field {key!r} is {value}, outside {minimum}..{maximum}")
        return value

    def opt_integer(self, key: str, *, minimum: int = 0, maximum: int = UINT64_MAX) -> int | None:
        return self.integer(key, minimum=minimum, maximum=maximum) if self.has(key) else None

    def string(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self.bad(f"field {key!r} is not a string")
        return value

    def opt_string(self, key: str) -> str | None:
        return self.string(key) if self.has(key) else None

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self.bad(f"field {key!r} is not a boolean")
        return value

    def opt_boolean(self, key: str) -> bool | None:
        return self.boolean(key) if self.has(key) else None

    def decimal(self, key: str, *, minimum: Decimal | int | None = None) -> Decimal:
        """A JSON number or a string in JSON's number grammar, exactly, within the bounds above;
        with `minimum`, refuse anything below it (0 for amounts, which cannot be negative)."""
        value = self._get(key)
        is_number = isinstance(value, int | Decimal) and not isinstance(value, bool)
        if not (is_number or (isinstance(value, str) and _JSON_NUMBER.fullmatch(value))):
            raise self.bad(f"field {key!r} is not a number")
        number = Decimal(value)
        if not number.is_finite():
            raise self.bad(f"field {key!r} is not a finite number")
        if not -MAX_ADJUSTED_EXPONENT <= number.adjusted() <= MAX_ADJUSTED_EXPONENT:
            # Zero too: `0E-999999999` written out is a billion zeros.
            raise self.bad(
                f"field {key!r} is a number whose exponent is outside "
                f"-{MAX_ADJUSTED_EXPONENT}..{MAX_ADJUSTED_EXPONENT}"
            )
        if len(number.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS:
            raise self.bad(
                f"field {key!r} has more than {MAX_SIGNIFICANT_DIGITS} significant digits"
            )
        if minimum is not None and number < minimum:
            raise self.bad(f"field {key!r} is less than {minimum}")
        return number

    def opt_decimal(self, key: str, *, minimum: Decimal | int | None = None) -> Decimal | None:
        return self.decimal(key, minimum=minimum) if self.has(key) else None

    def obj(self, key: str) -> JsonObject:
        return expect_object(self.source, self._get(key), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> JsonObject | None:
        return self.obj(key) if self.has(key) else None

    def array(self, key: str) -> list[Any]:
        return expect_list(self.source, self._get(key), f"{self.where}.{key}")

    def opt_array(self, key: str) -> list[Any]:
        """The array at `key`; an absent or null field counts as empty."""
        return self.array(key) if self.has(key) else []

    def objects(self, key: str) -> Iterator[JsonObject]:
        """Each element of the (possibly absent) array at `key`, as an object."""
        for index, item in enumerate(self.opt_array(key)):
            yield expect_object(self.source, item, f"{self.where}.{key}[{index}]")
