"""Exact arithmetic on quantities: scaling base units and multiplying prices, never a float.

`Decimal` arithmetic rounds to the context's precision (28 digits by default), which a uint64
times a price can exceed; these helpers size the precision to the operands so results are exact.
"""

from collections.abc import Iterable
from decimal import Context, Decimal, Inexact

__all__ = ["from_base_units", "multiply", "plain", "total"]


def from_base_units(raw: int, decimals: int | None) -> Decimal:
    """`raw / 10**decimals`, exactly (decimal string construction never rounds)."""
    if not decimals:
        return Decimal(raw)
    return Decimal(f"{raw}E-{decimals}")


def multiply(a: Decimal, b: Decimal) -> Decimal:
    """`a * b`, exactly."""
    digits = len(a.as_tuple().digits) + len(b.as_tuple().digits) + 2
    return Context(prec=max(digits, 28)).multiply(a, b)


def _add(a: Decimal, b: Decimal) -> Decimal:
    """`a + b`, exactly: the precision spans both operands' digits, from the higher's leading
    digit down to the lower's last, plus a carry (`Inexact` is trapped, so it cannot round)."""
    high = max(a.adjusted(), b.adjusted(), 0)
    low = min(int(a.as_tuple().exponent), int(b.as_tuple().exponent), 0)
    return Context(prec=max(high - low + 2, 28), traps=[Inexact]).add(a, b)


def total(values: Iterable[Decimal]) -> Decimal:
    """The exact sum of `values` (0 for none)."""
    result = Decimal(0)
    for value in values:
        result = _add(result, value)
    return result


def plain(value: Decimal) -> str:
    """Plain notation with no exponent and no trailing fractional zeros: "1234.56789", "100"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text
