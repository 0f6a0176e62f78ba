"""How many of an answer's raw amounts are exact, against the sandbox's own integers.

Each system answers S1 in its own shape; `bench.peers.systems` reduces an answer to
`(asset key, raw amount)` pairs, the asset key being algod's asset id as a string, or `NATIVE`
for ALGO's balance (which only the graph lists). A pair is exact when its amount is the
sandbox's integer digit for digit. Answers are decoded with `decode_answer` (integers as
integers, any other number as a `Decimal`), so no float stands between the answer's text and the
comparison: a JavaScript server that rounded 18446744073709551615 writes 18446744073709552000,
which is counted as the wrong number it is, whether as a JSON string or a number.

The count is over the page the system was asked for (`expected_items`, 100 for S1): an item
that is missing, null, of an asset the account does not hold, or listed twice is not exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench.cold_accounts import cold_algo, cold_holdings
from sources.algod.sandbox_data import WHALE, WHALE_ALGO, account_holdings

__all__ = [
    "NATIVE",
    "Exactness",
    "RawItem",
    "count_exact",
    "decode_answer",
    "expected_amounts",
]

NATIVE = "NATIVE"
"""The asset key of ALGO's own balance."""

RawItem = tuple[str | None, object]
"""An answered holding: its asset key (None if it has none) and its raw amount as decoded."""


@dataclass(frozen=True)
class Exactness:
    exact: int
    expected: int

    def __add__(self, other: Exactness) -> Exactness:
        return Exactness(self.exact + other.exact, self.expected + other.expected)

    def __str__(self) -> str:
        return f"{self.exact}/{self.expected}"


def decode_answer(body: bytes | str) -> Any:
    """A JSON answer with every non-integer number as a `Decimal` (never a float)."""
    return json.loads(body, parse_float=Decimal)


def expected_amounts(address: str) -> dict[str, int]:
    """The sandbox's exact amounts for an account: asset id (as text) to base units, and
    `NATIVE` to its microAlgos."""
    if address == WHALE:
        held, algo = account_holdings(WHALE), WHALE_ALGO
    else:
        held, algo = cold_holdings(address), cold_algo(address)
    if not held:
        raise ValueError(f"the bench knows no amounts for {address[:12]}…")
    amounts = {str(holding.asset_id): holding.amount for holding in held}
    amounts[NATIVE] = algo
    return amounts


def _digits(amount: object) -> str | None:
    """The integer an answered amount states, as decimal digits; None if it states none."""
    if isinstance(amount, bool):
        return None
    if isinstance(amount, int):
        return str(amount)
    if isinstance(amount, Decimal):
        # A number written with a fraction or an exponent (1.8446744073709552e+19): exact only
        # if it is the integer itself.
        return str(int(amount)) if amount.is_finite() and amount == amount.to_integral() else None
    if isinstance(amount, str) and amount.isascii() and amount.isdigit():
        return str(int(amount))
    return None


def count_exact(
    items: Iterable[RawItem | None], expected: Mapping[str, int], expected_items: int
) -> Exactness:
    """How many of the `expected_items` answered amounts equal the sandbox's."""
    seen: set[str] = set()
    exact = 0
    for item in items:
        if item is None:
            continue
        key, amount = item
        if key is None or key in seen or key not in expected:
            continue
        seen.add(key)
        if _digits(amount) == str(expected[key]):
            exact += 1
    return Exactness(min(exact, expected_items), expected_items)
