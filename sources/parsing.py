"""Reading decoded upstream JSON into typed values, or failing with `UpstreamBadResponse`.

Clients build their records through `JsonObject`, so a missing field, a wrong type or an absurd
number becomes one coded error naming the source and the field, never a `KeyError` deep in a
resolver. Numbers stay exact: integers as `int`, quantities as `Decimal` (from a JSON number or
from a numeric string), never a float.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sources.errors import UpstreamBadResponse
from sources.source import Source

__all__ = ["JsonObject", "expect_list", "expect_object"]

UINT64_MAX = 2**64 - 1


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

    def decimal(self, key: str) -> Decimal:
        """A JSON number or a numeric string, exactly; NaN and infinities are refused."""
        value = self._get(key)
        if isinstance(value, bool):
            raise self.bad(f"field {key!r} is not a number")
        if isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation as exc:
                raise self.bad(f"field {key!r} is not a number") from exc
        else:
            raise self.bad(f"field {key!r} is not a number")
        if not number.is_finite():
            raise self.bad(f"field {key!r} is not a finite number")
        return number

    def opt_decimal(self, key: str) -> Decimal | None:
        return self.decimal(key) if self.has(key) else None

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
