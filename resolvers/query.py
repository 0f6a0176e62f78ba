"""A holdings filter, normalised once so every source matches it the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from resolvers.pagination import Connection
from resolvers.records import AccountRecord, HoldingRecord

__all__ = ["HoldingQuery"]


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
        chosen = tuple(sorted({s.strip() for s in symbols or () if s.strip()}))
        return cls(
            chosen,
            tuple(sorted({p.strip().lower() for p in providers or () if p.strip()})),
            frozenset(s.casefold() for s in chosen),
        )

    @property
    def empty(self) -> bool:
        return not self.symbols and not self.providers

    @property
    def canonical(self) -> str:
        """A stable text for cursors: a cursor resumes only the filter that issued it."""
        return f"s={','.join(self.symbols)};p={','.join(self.providers)}"

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
