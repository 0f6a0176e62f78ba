"""Compiled completers complete exactly what graphql-core completes, and hand back the rest.

A small Strawberry schema whose objects hold whatever values Hypothesis draws (the right types,
nulls where none may be, ints beyond 32 bits, bools for ints, errors, coroutines, generators,
`Undefined`, objects of another type, missing attributes) is executed twice: with the compiled
plans (`PlannedExecutor`) and with Strawberry's own executor. Data and errors (messages, paths,
locations, order) must be the same, as JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from graphql.pyutils import Undefined
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema.execution import PLANS, PlannedExecutor


@strawberry.enum
class Color(Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.interface
class Named:
    name: str | None


@strawberry.type
class Item(Named):
    text: str
    maybe_text: str | None
    count: int
    maybe_count: int | None
    flag: bool
    amount: Decimal
    color: Color | None
    texts: list[str]
    maybe_texts: list[str | None] | None
    child: Item | None
    children: list[Item]
    strict_child: Item


@strawberry.type
class Other:
    text: str


Build = Callable[[], Any]


@strawberry.type
class Query:
    @strawberry.field
    def item(self, info: strawberry.Info) -> Item | None:
        return info.context["item"]()

    @strawberry.field
    def items(self, info: strawberry.Info) -> list[Item | None] | None:
        return info.context["items"]()

    @strawberry.field
    def strict(self, info: strawberry.Info) -> Item:
        return info.context["strict"]()


PLANNED = strawberry.Schema(query=Query, execution_context_class=PlannedExecutor)
STANDARD = strawberry.Schema(query=Query)

QUERY = """
query Values {
  item {
    ...Leaves
    child { text maybeCount child { text __typename } }
    children { text count flag }
    strictChild { text ... on Named { name } }
  }
  items { text maybeText alias: texts child { maybeTexts color } }
  strict { ...Leaves strictChild { strictChild { text } } }
}
fragment Leaves on Item {
  __typename text maybeText count maybeCount flag amount color texts maybeTexts
  again: text ... on Item { name text }
}
"""

_ATTRIBUTES = (
    "name", "text", "maybe_text", "count", "maybe_count", "flag", "amount", "color", "texts",
    "maybe_texts", "child", "children", "strict_child",
)  # fmt: skip

_LEAVES = st.sampled_from(
    (
        None, "text", "", 1, 0, -7, 2**31 - 1, 2**31, 2**40, True, False, 1.5, float("nan"),
        Decimal("1.50"), Decimal("1E+3"), Color.RED, "RED", b"bytes", ("error",), ("undefined",),
        ("missing",), ("other",),
    )
)  # fmt: skip


def _specs(depth: int) -> st.SearchStrategy[Any]:
    leaves = _LEAVES
    if depth <= 0:
        return leaves
    inner = _specs(depth - 1)
    return st.one_of(
        leaves,
        st.tuples(st.just("item"), st.dictionaries(st.sampled_from(_ATTRIBUTES), inner)),
        st.tuples(st.just("list"), st.lists(inner, max_size=3)),
        st.tuples(st.just("tuple"), st.lists(inner, max_size=2)),
        st.tuples(st.just("generator"), st.lists(inner, max_size=2)),
        st.tuples(st.just("coroutine"), inner),
    )


class _Later:
    """An awaitable whose coroutine starts only when awaited (an unselected one stays quiet)."""

    def __init__(self, spec: Any) -> None:
        self._spec = spec

    def __await__(self) -> Any:
        async def later() -> Any:
            return _build(self._spec)

        return later().__await__()


def _build(spec: Any) -> Any:
    """A fresh value from `spec` (coroutines and generators can be consumed only once)."""
    if not isinstance(spec, tuple):
        return spec
    kind = spec[0]
    if kind == "error":
        return ValueError("a value that is an error")
    if kind == "undefined":
        return Undefined
    if kind == "other":
        return Other(text="other")
    if kind == "item":
        item = Item.__new__(Item)
        for name, value in spec[1].items():
            if value != ("missing",):
                setattr(item, name, _build(value))
        return item
    if kind == "list":
        return [_build(value) for value in spec[1]]
    if kind == "tuple":
        return tuple(_build(value) for value in spec[1])
    if kind == "generator":
        return (_build(value) for value in spec[1])
    if kind == "coroutine":
        return _Later(spec[1])
    return None  # ("missing",) where no attribute holds it


def _full_item(depth: int) -> st.SearchStrategy[Any]:
    """Well-formed items: every attribute the query reads, of the declared type."""
    good: dict[str, st.SearchStrategy[Any]] = {
        "name": st.sampled_from((None, "n")),
        "text": st.just("t"),
        "maybe_text": st.sampled_from((None, "m")),
        "count": st.sampled_from((0, 5, -(2**31))),
        "maybe_count": st.sampled_from((None, 3)),
        "flag": st.booleans(),
        "amount": st.just(Decimal("2.5")),
        "color": st.sampled_from((None, Color.BLUE)),
        "texts": st.sampled_from((["a", "b"], ("list", ["c"]), ("tuple", ["d"]))),
        "maybe_texts": st.sampled_from((None, ["x", None])),
    }
    if depth > 0:
        child = _full_item(depth - 1)
        good["child"] = st.one_of(st.none(), child)
        good["children"] = st.lists(child, max_size=2).map(lambda items: ("list", items))
        good["strict_child"] = child
    else:  # the query reads no deeper than leaves here
        good.update(child=st.none(), children=st.just([]), strict_child=st.none())
    return st.tuples(st.just("item"), st.fixed_dictionaries(good))


def _places(spec: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a spec a value can be swapped at."""
    found = [path]
    if isinstance(spec, tuple) and spec and spec[0] == "item":
        for name, value in spec[1].items():
            found += _places(value, (*path, name))
    elif isinstance(spec, tuple) and spec and spec[0] == "list":
        for index, value in enumerate(spec[1]):
            found += _places(value, (*path, index))
    return found


def _swapped(spec: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    kind, content = spec
    if kind == "item":
        return ("item", {**content, head: _swapped(content[head], rest, value)})
    return ("list", [_swapped(v, rest, value) if i == head else v for i, v in enumerate(content)])


@st.composite
def _odd_item(draw: Any, depth: int) -> Any:
    """A well-formed item with zero to two values swapped for odd ones, anywhere in it."""
    spec = draw(_full_item(depth))
    for _ in range(draw(st.integers(0, 2))):
        place = draw(st.sampled_from(_places(spec)))
        spec = _swapped(spec, place, draw(_specs(1)))
    return spec


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


async def _answer(schema: strawberry.Schema, specs: dict[str, Any]) -> str:
    context = {name: (lambda spec=spec: _build(spec)) for name, spec in specs.items()}
    result = await schema.execute(QUERY, context_value=context)
    errors = [error.formatted for error in result.errors or ()]
    text = json.dumps({"data": result.data, "errors": errors}, default=repr)
    # Each run builds its own values: an object coerced by `str` (a generator for a Decimal)
    # names its own address.
    return _ADDRESS.sub(" at 0x?", text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    item=st.one_of(_odd_item(2), _specs(3)),
    items=st.one_of(st.lists(_odd_item(1), max_size=3).map(lambda i: ("list", i)), _specs(2)),
    strict=_odd_item(2),
)
async def test_planned_and_standard_execution_answer_the_same(
    item: Any, items: Any, strict: Any
) -> None:
    specs = {"item": item, "items": items, "strict": strict}
    assert await _answer(PLANNED, specs) == await _answer(STANDARD, specs)


async def test_well_formed_values_are_completed_by_the_plan() -> None:
    """The comparison above is between two executors: with well-formed values the plan's
    completers answer (they are compiled, and graphql-core is not asked to complete them)."""
    leaves = {"name": None, "text": "t", "maybe_text": None, "count": 1, "maybe_count": None}
    leaves |= {"flag": True, "amount": Decimal(1), "color": None, "texts": [], "maybe_texts": None}
    leaf = ("item", {**leaves, "child": None, "children": [], "strict_child": None})
    inner = ("item", {**leaves, "child": None, "children": [], "strict_child": leaf})
    full = (
        "item",
        {**leaves, "child": inner, "children": ("list", [inner]), "strict_child": inner},
    )
    specs = {"item": full, "items": ("list", [full]), "strict": full}
    answer = json.loads(await _answer(PLANNED, specs))
    assert (
        answer["errors"] == []
        and answer["data"]["strict"]["strictChild"]["strictChild"]["text"] == "t"
    )
    compiled = [
        completer
        for plan in PLANS._plans.values()
        if plan.operation.name and plan.operation.name.value == "Values"
        for variant in plan.variants.values()
        for completer in variant.completers.values()
        if completer is not None
    ]
    assert compiled
