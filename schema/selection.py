"""Whether a field's selection asks for a sub-field, through fragments too.

Some answers cost an upstream request of their own (Algorand's `totalCount` needs the account's
balance record on every page): resolvers are told whether it was asked, so a walk that never
selects it never pays for it.
"""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from schema.soft import Info

__all__ = ["selects"]


def _names(selections: Iterable[Selection]) -> Iterable[str]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection.name
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _names(selection.selections)


def selects(info: Info, name: str) -> bool:
    """Whether the field being resolved selects `name` directly (or through a fragment)."""
    return any(name in _names(field.selections) for field in info.selected_fields)
