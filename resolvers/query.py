"""A holdings filter, checked and normalised once so every source matches it the same way."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from resolvers.errors import BadUserInput, shown
from resolvers.pagination import Connection
from resolvers.records import AccountRecord, HoldingRecord

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
    case-insensitively. Provider slugs are lower-case by definition.
    """

    symbols: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    folded: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, symbols: Iterable[str] | None = None, providers: Iterable[str] | None = None
    ) -> HoldingQuery:
        """A checked filter; `BadUserInput` names the first bad value."""
        chosen = sorted({check_symbol(s.strip()) for s in symbols or ()})
        slugs = sorted({check_slug(p.strip().lower()) for p in providers or ()})
        for name, values in (("symbols", chosen), ("providers", slugs)):
            if len(values) > MAX_FILTER_VALUES:
                raise BadUserInput(
                    f"filter.{name}: {len(values)} values; at most {MAX_FILTER_VALUES}"
                )
        return cls(tuple(chosen), tuple(slugs), frozenset(s.casefold() for s in chosen))

    @property
    def empty(self) -> bool:
        return not self.symbols and not self.providers

    @property
    def canonical(self) -> str:
        """A stable, unambiguous text for cursors: a cursor resumes only its own filter."""
        return json.dumps([self.symbols, self.providers], separators=(",", ":"))

    def connection(self, account: AccountRecord) -> Connection:
        """What a cursor of this list is bound to: the account, this filter, and for
        custodial accounts their user."""
        return Connection(
            f"holdings:{account.source.value}:{account.address}:{self.canonical}",
            user=account.address if account.custodial else None,
        )

    def keeps(self, holding: HoldingRecord) -> bool:
        label = holding.asset.symbol or holding.asset.name or ""
        if self.folded and label.casefold() not in self.folded:
            return False
        return not self.providers or (
            holding.provider is not None and holding.provider.slug in self.providers
        )
