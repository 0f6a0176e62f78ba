"""The shape of `sources.http`: layers composed in the order its docstring gives, small modules,
functions of few parameters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import sources.http
from sources.http import Wiring
from sources.http.compose import compose
from sources.http.setup import Setup
from sources.http.transport import open_session
from sources.resilience.policy import SourcePolicy
from sources.source import Source

PACKAGE = Path(sources.http.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def documented_order() -> list[str]:
    """The layer modules the package docstring lists, top first."""
    return re.findall(r"^    (\w+)\.py ", sources.http.__doc__ or "", re.MULTILINE)


async def test_the_layers_are_composed_in_the_order_the_package_docstring_gives() -> None:
    setup = Setup(Source.ALGORAND, "algod", "http://127.0.0.1:9", SourcePolicy(), Wiring())
    session = open_session(setup)
    try:
        layer: object = compose(setup, session).top
        composed = []
        while layer is not None:
            composed.append(type(layer).__module__.removeprefix("sources.http."))
            layer = getattr(layer, "_next", None)
    finally:
        await session.close()
    assert documented_order() == [
        "cache",
        "flight",
        "parse",
        "auth",
        "breaker",
        "retry",
        "budget",
        "rate",
        "attempt",
    ]
    assert composed == documented_order()


def test_no_module_of_the_package_is_over_200_lines() -> None:
    lengths = {path.name: len(path.read_text().splitlines()) for path in MODULES}
    assert len(lengths) >= 10, lengths
    assert {name: n for name, n in lengths.items() if n > 200} == {}


def test_no_function_of_the_package_takes_more_than_6_parameters() -> None:
    counts = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args
                every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
                extra = [arguments.vararg, arguments.kwarg]
                counts[f"{path.name}:{node.name}"] = len(every) + sum(a is not None for a in extra)
    assert len(counts) > 30, counts
    assert {name: n for name, n in counts.items() if n > 6} == {}
