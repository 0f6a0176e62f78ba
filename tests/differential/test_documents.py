"""Every document the suite and the docs send answers the same on the compiled plan as on
graphql-core's executor: the same bytes (data, errors, paths, locations, order), the same
upstream requests, the same cache marks (`tests/differential/runner.py`)."""

from __future__ import annotations

import collections

import pytest

from schema import schema
from tests.conftest import AFTER_THE_SUITE
from tests.differential.corpus import cases, is_mutation, markdown_cases
from tests.differential.coverage import reachable_fields, selected_fields
from tests.differential.runner import Differential
from tests.harness import SENT, Sandboxes


def test_the_docs_have_examples_to_replay() -> None:
    assert len(markdown_cases()) >= 5


def test_the_docs_and_the_recorded_corpus_select_every_field_of_the_schema() -> None:
    reachable = reachable_fields(schema._schema)
    # The walk reaches the fields that lists answer and the ones federation adds.
    assert {("AssetHoldingConnection", "complete"), ("Asset", "nameHex")} <= reachable
    assert ("Query", "_service") in reachable
    missing = reachable - selected_fields(schema._schema, cases(()))
    assert not missing, (
        f"no case selects {sorted(missing)}: a test or a docs example that asks for them "
        "(then `pytest --record-corpus`)"
    )


@pytest.mark.after_the_suite
async def test_every_document_of_the_suite_and_the_docs_answers_identically(
    differential: Differential, clean: Sandboxes
) -> None:
    assert AFTER_THE_SUITE == "after_the_suite"
    chosen = [case for case in cases(SENT) if not is_mutation(case.query)]
    assert len(chosen) >= 100, "the corpus is missing: run `pytest --record-corpus` once"
    executors: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    for case in chosen:
        outcome = await differential.check(case)
        executors[outcome.executor] += 1
        if outcome.problems:
            failures.append(f"{case.label()}\n" + "\n".join(outcome.problems))
    print(f"\n{len(chosen)} documents: {dict(executors)}")
    assert not failures, f"{len(failures)} of {len(chosen)} differ:\n\n" + "\n\n".join(failures[:5])
    # The comparison is between two executors: most documents did run on a plan.
    assert executors["plan:compiled"] >= 0.8 * len(chosen), executors
