"""The curl examples of the README and of `docs/` give the answers written beside them."""

from __future__ import annotations

import json

import pytest

from tests.docs_examples import PAGES, curl_examples, example_ids, request_of
from tests.harness import GraphClient

EXAMPLE_COUNT = len(curl_examples())


def test_the_readme_and_the_docs_have_examples() -> None:
    readme = sum(1 for name in example_ids() if name.startswith(PAGES[0].name))
    assert readme >= 3
    assert readme + 4 <= EXAMPLE_COUNT


@pytest.mark.parametrize("index", range(EXAMPLE_COUNT), ids=example_ids())
async def test_a_readme_example_answers_as_documented(graph: GraphClient, index: int) -> None:
    command, answer = curl_examples()[index]
    body, headers = request_of(command, graph.token("alice"))
    headers.pop("content-type", None)
    status, response = await graph.post(body["query"], headers=headers)
    assert status == 200
    assert response == json.loads(answer)
