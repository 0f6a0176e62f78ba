"""What changed between two readings: holdings added, removed and changed; asset totals moved.

Holdings are matched by their global id (account and key within it). A holding changed when
its amount, raw amount, staked amount, frozen flag, price or value differ: its `fetchedAt` and
round are when it was read, not a change. An asset total moved when it appeared, went, or its
amount, price, value or number of holdings differ. Comparisons are exact (`Decimal`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from resolvers.errors import GraphError, ProviderFailed
from resolvers.live.records import AssetMove, HoldingChange
from resolvers.portfolio import AssetTotalRecord, SourceProblem
from resolvers.records import HoldingRecord

__all__ = ["HoldingsDiff", "diff_holdings", "keep_unseen", "move_totals", "problem_codes"]


@dataclass(frozen=True, slots=True)
class HoldingsDiff:
    added: tuple[HoldingRecord, ...] = ()
    removed: tuple[HoldingRecord, ...] = ()
    changed: tuple[HoldingChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _worth(holding: HoldingRecord) -> tuple[object, ...]:
    return (
        holding.amount,
        holding.raw_amount,
        holding.staked_amount,
        holding.is_frozen,
        holding.price_usd,
        holding.value_usd,
    )


def diff_holdings(before: Sequence[HoldingRecord], after: Sequence[HoldingRecord]) -> HoldingsDiff:
    """The holdings of `after` not in `before`, those gone, and those whose worth moved, each in
    its reading's order."""
    old = {holding.id: holding for holding in before}
    new = {holding.id: holding for holding in after}
    return HoldingsDiff(
        added=tuple(h for h in after if h.id not in old),
        removed=tuple(h for h in before if h.id not in new),
        changed=tuple(
            HoldingChange(old[h.id], h)
            for h in after
            if h.id in old and _worth(old[h.id]) != _worth(h)
        ),
    )


def keep_unseen(
    before: Sequence[HoldingRecord],
    partial: Sequence[HoldingRecord],
    problems: Iterable[SourceProblem],
) -> tuple[HoldingRecord, ...]:
    """What an incomplete reading leaves known: the holdings it read, then those read before
    that it did not see and that may be in the part it missed, as last read.

    Which part it missed is known only when every problem names a provider that could not be
    read (Calico's PROVIDER_ERROR): then only that provider's holdings may be missing, and one
    of another provider that it did not see is gone. Any other problem (an item sent
    malformed, a page that failed, a list cut) could hide any holding."""
    missed = _missed_providers(problems)
    seen = {holding.id for holding in partial}
    kept = (
        holding
        for holding in before
        if holding.id not in seen
        and (missed is None or (holding.provider is not None and holding.provider.slug in missed))
    )
    return (*partial, *kept)


def _missed_providers(problems: Iterable[SourceProblem]) -> set[str] | None:
    """The providers the problems say were not read, or None when something else is missing."""
    missed: set[str] = set()
    for problem in problems:
        code, provider = _code(problem.error)
        if code != ProviderFailed.code or not provider:
            return None
        missed.add(provider.lower())
    return missed


def _total_worth(total: AssetTotalRecord) -> tuple[object, ...]:
    return (total.amount, total.price_usd, total.value_usd, len(total.holdings))


def move_totals(
    before: Iterable[AssetTotalRecord], after: Iterable[AssetTotalRecord]
) -> tuple[AssetMove, ...]:
    """The asset totals that appeared, went or moved, by identity key."""
    old = {total.identity.key: total for total in before}
    new = {total.identity.key: total for total in after}
    moves = []
    for key in sorted(old.keys() | new.keys()):
        previous, current = old.get(key), new.get(key)
        if previous is None or current is None or _total_worth(previous) != _total_worth(current):
            moves.append(AssetMove(key, previous, current))
    return tuple(moves)


def problem_codes(problems: Iterable[SourceProblem]) -> tuple[tuple[str, ...], ...]:
    """What a reading's problems are, for telling whether they changed (not their wording)."""
    return tuple(
        sorted(
            (
                problem.source.value,
                problem.account.id if problem.account else "",
                *_code(problem.error),
            )
            for problem in problems
        )
    )


def _code(error: Exception) -> tuple[str, str]:
    """(code, provider) of an error, the same for an error met here and one relayed."""
    if isinstance(error, GraphError):
        extensions = error.extensions()
        return str(extensions.get("code", "")), str(extensions.get("provider") or "")
    return str(getattr(error, "code", "INTERNAL_SERVER_ERROR")), ""
