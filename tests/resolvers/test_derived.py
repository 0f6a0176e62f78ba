"""`PerPage`: what is derived from a shared page is made once while the page is kept, and
again for another page object, even an equal one; bounded, oldest first."""

from __future__ import annotations

import pytest

from resolvers.derived import PerPage


class Page:
    """A page object (identity is what counts, not equality)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Page)

    __hash__ = object.__hash__


def test_a_page_is_derived_once_per_key() -> None:
    kept: PerPage[list[str]] = PerPage()
    made: list[str] = []

    def derive(name: str) -> list[str]:
        made.append(name)
        return [name]

    page = Page()
    first = kept.get(page, "alice", lambda: derive("alice"))
    assert kept.get(page, "alice", lambda: derive("alice")) is first
    assert kept.get(page, "bob", lambda: derive("bob")) == ["bob"]
    # An equal page read afresh is another object: derived again.
    assert kept.get(Page(), "alice", lambda: derive("alice")) is not first
    assert made == ["alice", "bob", "alice"]


def test_it_keeps_a_bounded_number_of_pages_the_oldest_dropped_first() -> None:
    kept: PerPage[int] = PerPage(max_pages=2)
    pages = [Page(), Page(), Page()]
    made: list[int] = []

    def derive(number: int) -> int:
        made.append(number)
        return number

    for number, page in enumerate(pages):
        assert kept.get(page, None, lambda n=number: derive(n)) == number  # type: ignore[misc]
    assert kept.get(pages[2], None, lambda: derive(-1)) == 2
    assert kept.get(pages[0], None, lambda: derive(0)) == 0
    assert made == [0, 1, 2, 0]
    with pytest.raises(ValueError, match="max_pages"):
        PerPage(max_pages=0)
