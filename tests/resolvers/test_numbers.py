"""`resolvers.numbers.total`: sums of exact decimals never round, however far apart their
digits are (the default 28-digit context would)."""

from __future__ import annotations

import decimal
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.numbers import total

WIDE = decimal.Context(prec=400)

decimals = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.integers(min_value=-40, max_value=40),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(decimals, max_size=20))
def test_a_total_is_the_exact_sum(values: list[Decimal]) -> None:
    expected = Decimal(0)
    for value in values:
        expected = WIDE.add(expected, value)
    assert total(values) == expected


def test_a_total_keeps_digits_the_default_context_would_round() -> None:
    values = [Decimal("18446744073709551615"), Decimal("0.0000000000000000001")]
    assert sum(values) != Decimal("18446744073709551615.0000000000000000001")
    assert total(values) == Decimal("18446744073709551615.0000000000000000001")
