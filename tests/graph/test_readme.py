"""The curl examples of the README and of `docs/` give the answers written beside them."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.harness import GraphClient

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLE = re.compile(r"```sh\n(?P<command>[^`]*?curl [^`]*?)```\n```json\n(?P<answer>.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return [
        (m["command"], m["answer"]) for page in PAGES for m in EXAMPLE.finditer(page.read_text())
    ]


def _example_ids() -> list[str]:
    return [
        f"{page.relative_to(ROOT)}-{n}"
        for page in PAGES
        for n, _ in enumerate(EXAMPLE.finditer(page.read_text()))
    ]


def _request(command: str, token: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body and headers of the curl command in `command`."""
    text = command.replace("\\\n", " ").replace("$TOKEN", token)
    words = shlex.split(text[text.index("curl ") :])
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    for flag, value in itertools.pairwise(words):
        if flag == "-H":
            name, _, content = value.partition(":")
            headers[name.strip()] = content.strip()
        elif flag == "-d":
            body = json.loads(value)
    return body, headers


def test_the_readme_and_the_docs_have_examples() -> None:
    readme = len(EXAMPLE.findall(PAGES[0].read_text()))
    assert readme >= 3
    assert len(_examples()) >= readme + 4


@pytest.mark.parametrize("index", range(len(_examples())), ids=_example_ids())
async def test_a_readme_example_answers_as_documented(graph: GraphClient, index: int) -> None:
    command, answer = _examples()[index]
    body, headers = _request(command, graph.token("alice"))
    headers.pop("content-type", None)
    status, response = await graph.post(body["query"], headers=headers)
    assert status == 200
    assert response == json.loads(answer)
