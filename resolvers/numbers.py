"""Exact arithmetic on quantities: scaling base units and multiplying prices, never a float.

`Decimal` arithmetic rounds to the context's precision (28 digits by default), which a uint64
times a price can exceed; these helpers size the precision to the operands so results are exact.
"""

from decimal import Context, Decimal

__all__ = ["from_base_units", "multiply", "plain"]


def from_base_units(raw: int, decimals: int | None) -> Decimal:
    """`raw / 10**decimals`, exactly (decimal string construction never rounds)."""
    if not decimals:
        return Decimal(raw)
    return Decimal(f"{raw}E-{decimals}")


def multiply(a: Decimal, b: Decimal) -> Decimal:
    """`a * b`, exactly."""
    digits = len(a.as_tuple().digits) + len(b.as_tuple().digits) + 2
    return Context(prec=max(digits, 28)).multiply(a, b)


def plain(value: Decimal) -> str:
    """Plain notation with no exponent and no trailing fractional zeros: "1234.56789", "100"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text
