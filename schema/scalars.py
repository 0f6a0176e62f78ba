"""The schema's custom scalars: exact numbers as strings, and UTC date-times.

`Decimal` is written in plain notation without trailing fractional zeros ("1234.56789"), digit for
digit what the source said; `BigInt` is an integer of any size as a string; neither ever passes
through a float. Inputs accept the string forms (and GraphQL Int literals for convenience).
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from resolvers.numbers import plain
from sources.parsing import MAX_ADJUSTED_EXPONENT, MAX_SIGNIFICANT_DIGITS

__all__ = ["SCALARS", "BigInt"]

BigInt = NewType("BigInt", int)


def _parse_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f'a Decimal is written as a string such as "12.5", not {value!r}')
    try:
        number = decimal.Decimal(value)
    except decimal.InvalidOperation:
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    # The same bounds as for upstream numbers: `1E+999999999` written out (in a cursor, say)
    # is a gigabyte; and zero too (`0E-999999999`).
    if not -MAX_ADJUSTED_EXPONENT <= number.adjusted() <= MAX_ADJUSTED_EXPONENT:
        raise ValueError(
            f"{_shown(value)} is out of range: a Decimal's exponent must lie in "
            f"-{MAX_ADJUSTED_EXPONENT}..{MAX_ADJUSTED_EXPONENT}"
        )
    if len(number.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS:
        raise ValueError(
            f"{_shown(value)} has more than {MAX_SIGNIFICANT_DIGITS} significant digits"
        )
    return number


def _shown(value: str | int) -> str:
    """The value for a message, cut short: a message must not be as large as the input."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _parse_bigint(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError(f"a BigInt is written as a string of digits, not {value!r}")


def _serialize_datetime(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"a DateTime is an ISO-8601 string, not {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


#: What `@specifiedBy(url:)` points at. A `Decimal` or `BigInt` is a JSON string whose content is
#: the text of a JSON number (RFC 8259 section 6): `Decimal` without exponent or trailing
#: fractional zeros, `BigInt` an integer. This project's own docs (docs/schema.md, "Numbers") have
#: no public address to point at, and no scalar registry specifies these forms, so the grammar's
#: RFC is the honest reference; the descriptions say the rest.
JSON_NUMBER_GRAMMAR = "https://www.rfc-editor.org/rfc/rfc8259#section-6"
#: Output is RFC 3339's `date-time` (section 5.6), in UTC ("Z"), to the millisecond.
RFC3339_DATE_TIME = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"

SCALARS: dict[object, ScalarDefinition] = {
    decimal.Decimal: strawberry.scalar(
        name="Decimal",
        description=(
            'Exact decimal number as a string, e.g. "1234.56789": a JSON number\'s text in plain '
            "notation (no exponent, no trailing fractional zeros), digit for digit. Never a float."
        ),
        specified_by_url=JSON_NUMBER_GRAMMAR,
        serialize=plain,
        parse_value=_parse_decimal,
    ),
    BigInt: strawberry.scalar(
        name="BigInt",
        description=(
            'Integer of any size as a string of decimal digits (a leading "-" when negative), '
            'e.g. "18446744073709551615".'
        ),
        specified_by_url=JSON_NUMBER_GRAMMAR,
        serialize=str,
        parse_value=_parse_bigint,
    ),
    datetime: strawberry.scalar(
        name="DateTime",
        description=(
            'RFC 3339 date-time in UTC, to the millisecond, e.g. "2026-03-06T09:01:09.783Z"; '
            "inputs may give another offset, or none (read as UTC)."
        ),
        specified_by_url=RFC3339_DATE_TIME,
        serialize=_serialize_datetime,
        parse_value=_parse_datetime,
    ),
}
