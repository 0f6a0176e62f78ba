"""A holdings filter, checked and normalised once so every source matches it the same way."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from resolvers.errors import BadUserInput, shown
from resolvers.numbers import plain
from resolvers.pagination import Pager
from resolvers.records import AccountRecord, AssetKind, HoldingRecord

__all__ = [
    "MAX_FILTER_VALUES",
    "HoldingQuery",
    "check_slug",
    "check_symbol",
    "is_slug",
    "is_symbol",
]

#: Most symbols, and most providers, one filter may name.
MAX_FILTER_VALUES = 50
_MAX_SYMBOL = 64
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def is_symbol(value: str) -> bool:
    """Whether `value` can be a symbol: 1 to 64 characters, no comma, no control character
    (a comma would split Calico's comma-separated list)."""
    return (
        1 <= len(value) <= _MAX_SYMBOL
        and "," not in value
        and not any(unicodedata.category(c).startswith("C") for c in value)
    )


def is_slug(value: str) -> bool:
    """Whether `value` is a provider slug: lower-case letters, digits, '.', '_' or '-'."""
    return _SLUG.fullmatch(value) is not None


def check_symbol(value: str, where: str = "filter.symbols") -> str:
    """`value` if it can be a symbol; `BadUserInput` naming it otherwise."""
    if not is_symbol(value):
        raise BadUserInput(
            f"{where}: {shown(value)!r} is not a symbol (1 to {_MAX_SYMBOL} characters, "
            "no comma or control character)"
        )
    return value


def check_slug(value: str, where: str = "filter.providers") -> str:
    """`value` if it is a provider slug; `BadUserInput` naming it otherwise."""
    if not is_slug(value):
        raise BadUserInput(
            f"{where}: {shown(value)!r} is not a provider slug (lower-case letters, digits, "
            "'.', '_' or '-', at most 64)"
        )
    return value


@dataclass(frozen=True, slots=True)
class HoldingQuery:
    """Symbols and provider slugs a holdings list is narrowed to.

    Symbols are kept as the caller wrote them: Calico receives them as given (it decides how
    they match); where the graph filters itself (on-chain sources, Mesh) they match
    case-insensitively. Provider slugs are lower-case by definition. Kinds, a minimum USD value
    and hiding zero balances (`extra`) are matched by the graph for every source; a holding
    without a value never passes a minimum value.
    """

    symbols: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    folded: frozenset[str] = frozenset()
    kinds: tuple[AssetKind, ...] = ()
    min_value_usd: Decimal | None = None
    hide_zero: bool = False

    @classmethod
    def of(
        cls,
        symbols: Iterable[str] | None = None,
        providers: Iterable[str] | None = None,
        *,
        kinds: Iterable[AssetKind] | None = None,
        min_value_usd: Decimal | None = None,
        hide_zero: bool | None = None,
    ) -> HoldingQuery:
        """A checked filter; `BadUserInput` names the first bad value."""
        chosen = sorted({check_symbol(s.strip()) for s in symbols or ()})
        slugs = sorted({check_slug(p.strip().lower()) for p in providers or ()})
        for name, values in (("symbols", chosen), ("providers", slugs)):
            if len(values) > MAX_FILTER_VALUES:
                raise BadUserInput(
                    f"filter.{name}: {len(values)} values; at most {MAX_FILTER_VALUES}"
                )
        return cls(
            tuple(chosen),
            tuple(slugs),
            frozenset(s.casefold() for s in chosen),
            tuple(sorted(set(kinds or ()))),
            min_value_usd,
            bool(hide_zero),
        )

    @property
    def extra(self) -> bool:
        """Whether the filter has conditions only the graph can check (kinds, value, zeros)."""
        return bool(self.kinds) or self.min_value_usd is not None or self.hide_zero

    @property
    def empty(self) -> bool:
        return not self.symbols and not self.providers and not self.extra

    @property
    def canonical(self) -> str:
        """A stable, unambiguous text for cursors: a cursor resumes only its own filter."""
        parts: list[object] = [self.symbols, self.providers]
        if self.extra:
            minimum = None if self.min_value_usd is None else plain(self.min_value_usd)
            parts.append([[k.value for k in self.kinds], minimum, self.hide_zero])
        return json.dumps(parts, separators=(",", ":"))

    def pager(self, account: AccountRecord) -> Pager:
        """What a cursor of this list is bound to: the account, this filter, and for
        custodial accounts their user."""
        return Pager(
            f"holdings:{account.source.value}:{account.address}:{self.canonical}",
            user=account.address if account.custodial else None,
        )

    def keeps(self, holding: HoldingRecord) -> bool:
        label = holding.asset.symbol or holding.asset.name or ""
        if self.folded and label.casefold() not in self.folded:
            return False
        if self.providers and (
            holding.provider is None or holding.provider.slug not in self.providers
        ):
            return False
        return self.keeps_extra(holding)

    def keeps_extra(self, holding: HoldingRecord) -> bool:
        """Whether `holding` meets the conditions only the graph checks."""
        if self.kinds and holding.asset.kind not in self.kinds:
            return False
        if self.min_value_usd is not None and (
            holding.value_usd is None or holding.value_usd < self.min_value_usd
        ):
            return False
        return not (self.hide_zero and holding.amount == 0)
