"""What the README and the `docs/` pages show: their curl examples, GraphQL operations and
configuration snippets, for the tests that run them with the tools they name."""

from __future__ import annotations

import itertools
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "PAGES",
    "ROOT",
    "CurlRequest",
    "HttpExample",
    "curl_blocks",
    "curl_examples",
    "curl_request",
    "example_ids",
    "http_example_ids",
    "http_examples",
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
#: A curl command with the HTTP answer beside it: the status line, the headers that matter, and
#: optionally a blank line and the JSON body.
_HTTP_EXAMPLE = re.compile(
    r"```sh\n(?P<command>[^`]*?curl [^`]*?)```\n```http\n(?P<answer>.*?)```", re.S
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


@dataclass(frozen=True)
class HttpExample:
    """A curl command and the answer a page says it gets."""

    command: str
    status: int
    headers: dict[str, str]
    body: Any | None


def _http_answer(command: str, answer: str) -> HttpExample:
    head, _, body = answer.partition("\n\n")
    status_line, *header_lines = head.strip().splitlines()
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    parsed = json.loads(body) if body.strip() else None
    return HttpExample(command, int(status_line.split()[1]), headers, parsed)


def http_examples() -> list[HttpExample]:
    """Every page's curl commands shown with an HTTP answer, in page order."""
    return [
        _http_answer(m["command"], m["answer"])
        for page in PAGES
        for m in _HTTP_EXAMPLE.finditer(page.read_text())
    ]


def http_example_ids() -> list[str]:
    return [
        f"{page.relative_to(ROOT)}-http-{n}"
        for page in PAGES
        for n, _ in enumerate(_HTTP_EXAMPLE.finditer(page.read_text()))
    ]


def curl_blocks() -> list[str]:
    """Every ```sh block of the pages that runs curl."""
    return [
        m["text"]
        for page in PAGES
        for m in _BLOCK.finditer(page.read_text())
        if m["language"] == "sh" and "curl " in m["text"]
    ]


@dataclass(frozen=True)
class CurlRequest:
    """What a curl command sends: its method, the URL's path and query, headers and body."""

    method: str
    target: str
    headers: dict[str, str]
    body: str | None


def curl_request(command: str, token: str = "") -> CurlRequest:
    """The request of the one curl command in `command` (`$TOKEN` is `token`), as curl sends it
    (`-d` without `-X` is a POST)."""
    text = command.replace("\\\n", " ").replace("$TOKEN", token)
    words = shlex.split(text[text.index("curl ") :], comments=True)[1:]
    method: str | None = None
    url = ""
    headers: dict[str, str] = {}
    body: str | None = None
    flags = iter(words)
    for word in flags:
        if word == "-X":
            method = next(flags)
        elif word == "-H":
            name, _, content = next(flags).partition(":")
            headers[name.strip()] = content.strip()
        elif word == "-d":
            body = next(flags)
        elif not word.startswith("-"):
            url = word
        elif not re.fullmatch(r"-[siN]+", word):
            raise AssertionError(f"curl option {word!r} is not understood by the docs' tests")
    if body is not None and not any(name.lower() == "content-type" for name in headers):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    target = "/" + url.split("://", 1)[-1].partition("/")[2]
    return CurlRequest(method or ("POST" if body is not None else "GET"), target, headers, body)


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
