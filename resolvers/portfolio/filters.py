"""Filters on the portfolio's asset totals: symbols, kinds, a minimum USD value, no zeros.

Checked and normalised once (bad values are refused before any upstream call, naming them);
`canonical` binds a cursor to its filter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from resolvers.errors import BadUserInput
from resolvers.holding_query import MAX_FILTER_VALUES, check_symbol
from resolvers.numbers import plain
from resolvers.portfolio.records import AssetTotalRecord
from resolvers.records import AssetKind

__all__ = ["TotalQuery"]


@dataclass(frozen=True, slots=True)
class TotalQuery:
    """Which asset totals `byAsset` lists; every condition given must hold.

    Symbols match case-insensitively; kinds are the totals' identity kinds (custodial ALGO is
    NATIVE); `min_value_usd` keeps valued totals worth at least that much (an unvalued total
    never passes it); `hide_zero` drops totals whose amount is zero.
    """

    folded: frozenset[str] = frozenset()
    kinds: frozenset[AssetKind] = frozenset()
    min_value_usd: Decimal | None = None
    hide_zero: bool = False

    @classmethod
    def of(
        cls,
        symbols: Iterable[str] | None = None,
        kinds: Iterable[AssetKind] | None = None,
        min_value_usd: Decimal | None = None,
        hide_zero: bool | None = None,
    ) -> TotalQuery:
        chosen = {check_symbol(s.strip()).casefold() for s in symbols or ()}
        if len(chosen) > MAX_FILTER_VALUES:
            raise BadUserInput(f"filter.symbols: {len(chosen)} values; at most {MAX_FILTER_VALUES}")
        return cls(frozenset(chosen), frozenset(kinds or ()), min_value_usd, bool(hide_zero))

    @property
    def canonical(self) -> str:
        """A stable text for cursors."""
        return json.dumps(
            [
                sorted(self.folded),
                sorted(kind.value for kind in self.kinds),
                None if self.min_value_usd is None else plain(self.min_value_usd),
                self.hide_zero,
            ],
            separators=(",", ":"),
        )

    def keeps(self, item: AssetTotalRecord) -> bool:
        identity = item.identity
        if self.folded and (identity.symbol or "").casefold() not in self.folded:
            return False
        if self.kinds and identity.kind not in self.kinds:
            return False
        if self.min_value_usd is not None and (
            item.value_usd is None or item.value_usd < self.min_value_usd
        ):
            return False
        return not (self.hide_zero and item.amount == 0)
