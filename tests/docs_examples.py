"""What the README and the `docs/` pages show: their curl examples, GraphQL operations and
configuration snippets, for the tests that run them with the tools they name."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from pathlib import Path
from typing import Any

__all__ = [
    "PAGES",
    "ROOT",
    "curl_examples",
    "example_ids",
    "operations",
    "request_of",
    "snippet",
]

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: A curl command with the answer written beside it.
_EXAMPLE = re.compile(
    r"```sh\n(?P<command>[^`]*?curl [^`]*?)```\n```json\n(?P<answer>.*?)```", re.S
)
_BLOCK = re.compile(r"```(?P<language>[a-z]+)\n(?P<text>.*?)```", re.S)


def curl_examples() -> list[tuple[str, str]]:
    """(curl command, documented JSON answer) of every page, in page order."""
    return [
        (m["command"], m["answer"]) for page in PAGES for m in _EXAMPLE.finditer(page.read_text())
    ]


def example_ids() -> list[str]:
    return [
        f"{page.relative_to(ROOT)}-{n}"
        for page in PAGES
        for n, _ in enumerate(_EXAMPLE.finditer(page.read_text()))
    ]


def request_of(command: str, token: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body and headers of the curl command in `command` (`$TOKEN` is `token`)."""
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


def operations() -> dict[str, str]:
    """Every operation a page shows a client sending: the queries of its curl examples and its
    ```graphql blocks, by "page-n"."""
    found: dict[str, str] = {}
    for page in PAGES:
        text = page.read_text()
        name = page.relative_to(ROOT)
        for n, match in enumerate(_EXAMPLE.finditer(text)):
            found[f"{name}-curl-{n}"] = request_of(match["command"], "")[0]["query"]
        blocks = [m["text"] for m in _BLOCK.finditer(text) if m["language"] == "graphql"]
        for n, block in enumerate(blocks):
            found[f"{name}-graphql-{n}"] = block
    return found


def snippet(language: str, containing: str) -> str:
    """The one ```language block of the pages that contains `containing`."""
    blocks = [
        m["text"]
        for page in PAGES
        for m in _BLOCK.finditer(page.read_text())
        if m["language"] == language and containing in m["text"]
    ]
    assert len(blocks) == 1, f"{len(blocks)} ```{language} blocks hold {containing!r}"
    return blocks[0]
