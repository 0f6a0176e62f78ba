"""Finding 1: fragments that each spread the next one twice (a 943-byte document standing for
33 million selections) are refused in milliseconds, and the checker's work grows linearly with
the document, whatever its fragments expand to."""

from __future__ import annotations

import aiohttp
from graphql import FieldNode, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema import schema
from schema.limits.walk import Walk
from tests.harness import GraphClient, Sandboxes, serve_graph
from tests.hostile.support import attack, default_options, refused_by


def doubling(levels: int) -> str:
    parts = ["query{...a0}"]
    parts += [f"fragment a{i} on Query{{...a{i + 1} ...a{i + 1}}}" for i in range(levels)]
    parts.append(f"fragment a{levels} on Query{{__typename}}")
    return "\n".join(parts)


async def test_fragments_spreading_the_next_twice_are_refused_in_milliseconds(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # Before: the checker walked every spread again (2^25 walks: minutes, /healthz waiting).
    query = doubling(25)
    assert len(query.encode()) < 1000
    outcome = await attack(graph, query)
    message = await refused_by(outcome, "QUERY_TOO_COMPLEX", clean)
    assert f"is {2**25}, over the limit MAX_QUERY_SELECTIONS=10000" in message, message


async def test_expanded_selections_up_to_the_limit_run(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    async with serve_graph(sandboxes.settings(max_query_selections=128), http) as small:
        assert await small.data(doubling(7)) == {"__typename": "Query"}  # 128 selections
        body = await small.query(doubling(8))  # 256
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX", body
    assert "is 256, over the limit MAX_QUERY_SELECTIONS=128" in body["errors"][0]["message"]


async def test_aliases_inside_a_fragment_count_at_every_spread(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    fragment = "fragment P on ProviderConnection { " + " ".join(
        f"t{i}: totalCount" for i in range(3)
    )
    query = "{ a: providers(first: 1) { ...P } b: providers(first: 1) { ...P } } " + fragment + " }"
    async with serve_graph(sandboxes.settings(max_query_aliases=7), http) as tight:
        body = await tight.query(query)
    # a, b, and the fragment's 3 aliases at each of its 2 spreads.
    assert "aliases is 8, over the limit MAX_QUERY_ALIASES=7" in body["errors"][0]["message"]
    assert [await s.total() for s in clean.all()] == [0, 0, 0, 0]


# --- the checker's work is linear in the document ------------------------------------------


class CountingWalk(Walk):
    """The checker's own walk, counting the field nodes it visits."""

    visits: int = 0

    def field(self, parent, node, scope):  # type: ignore[no-untyped-def]
        self.visits += 1
        return super().field(parent, node, scope)


@st.composite
def nested_spreads(draw: st.DrawFn) -> tuple[str, int]:
    """A document of fragments on Query spreading later ones (any number of times), and the
    number of selections it expands to, computed here independently."""
    levels = draw(st.integers(1, 40))
    spreads = [draw(st.lists(st.integers(i + 1, levels), max_size=3)) for i in range(levels)]
    leaves = [draw(st.integers(0 if spreads[i] else 1, 3)) for i in range(levels)] + [1]
    expanded = [0] * (levels + 1)
    for i in reversed(range(levels + 1)):
        expanded[i] = leaves[i] + sum(expanded[j] for j in (spreads[i] if i < levels else []))
    parts = ["query { ...f0 }"]
    for i in range(levels + 1):
        body = ["__typename"] * leaves[i] + [f"...f{j}" for j in (spreads[i] if i < levels else [])]
        parts.append(f"fragment f{i} on Query {{ {' '.join(body)} }}")
    return "\n".join(parts), expanded[0]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=nested_spreads())
def test_the_checkers_work_grows_linearly_with_the_document(document: tuple[str, int]) -> None:
    text, expanded = document
    parsed = parse(text)
    fields_written = sum(
        1
        for definition in parsed.definitions
        for selection in definition.selection_set.selections  # type: ignore[attr-defined]
        if isinstance(selection, FieldNode)
    )
    fragments = {d.name.value: d for d in parsed.definitions[1:]}  # type: ignore[attr-defined]
    walk = CountingWalk(schema._schema, fragments, {}, default_options())
    figures = walk.root(schema._schema.query_type, parsed.definitions[0].selection_set)  # type: ignore[arg-type, attr-defined]
    assert figures.selections == expanded  # exact, however large
    assert walk.visits <= fields_written  # each written field visited at most once
