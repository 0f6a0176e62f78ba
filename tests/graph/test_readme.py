"""The README's curl examples give the answers the README shows."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from tests.harness import GraphClient

README = Path(__file__).resolve().parents[2] / "README.md"
EXAMPLE = re.compile(r"```sh\n(?P<command>[^`]*?curl [^`]*?)```\n```json\n(?P<answer>.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    return [(m["command"], m["answer"]) for m in EXAMPLE.finditer(README.read_text())]


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


def test_the_readme_has_examples() -> None:
    assert len(_examples()) >= 5


@pytest.mark.parametrize("index", range(len(_examples())))
async def test_a_readme_example_answers_as_documented(graph: GraphClient, index: int) -> None:
    command, answer = _examples()[index]
    body, headers = _request(command, graph.token("alice"))
    headers.pop("content-type", None)
    status, response = await graph.post(body["query"], headers=headers)
    assert status == 200
    assert response == json.loads(answer)
