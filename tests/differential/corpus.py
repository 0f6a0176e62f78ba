"""The documents the suite and the docs send, as differential cases.

Three sources, merged without repeats:

- the curl examples of README.md and docs/*.md (what users copy);
- `corpus.json`: every request the suite's `GraphClient`s sent in a full run, recorded by
  `pytest --record-corpus` (a few variable sets per document: a walk's hundred pages differ only
  in their cursor);
- the requests sent in this very session (`tests.harness.SENT`), when the differential test runs
  after the rest of the suite (it is ordered last), so a new test's documents count at once.

A bearer token our tests issued for a user is kept as that user (a fresh token is issued when the
case runs); any other Authorization header is kept as it was sent. A request is kept with the
sandbox faults and settings it met (`tests.harness.CONDITIONS`) when they replay alike run after
run: not faults that play on time (latency, a slow body, a dropped connection) or by chance (a
`rate` below 1), not settings that do (a plan's rate limit, a quota spent): a request made under
those is replayed under the sandboxes' defaults.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jwt
from graphql import GraphQLSyntaxError, OperationDefinitionNode, OperationType, parse

from tests.differential.runner import Case
from tests.harness import JWT_SECRET, Noted, SentRequest

__all__ = ["CORPUS", "cases", "is_mutation", "markdown_cases", "recorded_cases", "write_corpus"]

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).with_name("corpus.json")
_EXAMPLE = re.compile(r"```sh\n(?P<command>[^`]*?curl [^`]*?)```", re.S)
_PER_DOCUMENT = 3
"""Variable sets kept per (document, caller, conditions): enough to vary, not a walk's every
page."""
_TIMED_FAULTS = frozenset({"latency_ms", "slow_body_ms", "drop"})
_REPLAYED_SETTINGS = {"cardanobi": frozenset({"odata"})}
"""Sandbox settings that change what is answered, not when."""
_MAX_FAULT_CHARACTERS = 64_000
_MAX_CASE_CHARACTERS = 64_000
"""Larger requests (a hostile test's million-character variables) are refused before either
executor runs: not worth their place in the corpus."""


def _markdown_files() -> Iterator[Path]:
    yield ROOT / "README.md"
    docs = ROOT / "docs"
    if docs.is_dir():
        yield from sorted(docs.glob("*.md"))


def markdown_cases() -> list[Case]:
    """The curl examples of the README and the docs pages."""
    found: list[Case] = []
    for path in _markdown_files():
        for match in _EXAMPLE.finditer(path.read_text()):
            text = match["command"].replace("\\\n", " ")
            words = shlex.split(text[text.index("curl ") :])
            headers: dict[str, str] = {}
            body: dict[str, Any] = {}
            for flag, value in itertools.pairwise(words):
                if flag == "-H":
                    name, _, content = value.partition(":")
                    headers[name.strip().lower()] = content.strip()
                elif flag == "-d":
                    body = json.loads(value)
            if "query" not in body:
                continue
            authorization = headers.get("authorization")
            user = "alice" if authorization and "$TOKEN" in authorization else None
            found.append(
                Case(
                    body["query"],
                    body.get("variables"),
                    body.get("operationName"),
                    user=user,
                    authorization=None if user else authorization,
                    calico=headers.get("x-calico-token"),
                )
            )
    return found


def _user_of(authorization: str) -> str | None:
    """The user of a token our tests issued with the usual claims only (None otherwise)."""
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer":
        return None
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    if set(claims) != {"sub", "iat", "exp"} or not isinstance(claims["sub"], str):
        return None
    return claims["sub"]


def _replayable_faults(faults: Mapping[str, Any]) -> bool:
    return (
        not _TIMED_FAULTS & {key for key, value in faults.items() if value is not None}
        and faults.get("rate", 1.0) == 1.0
        and len(json.dumps(faults, default=str)) <= _MAX_FAULT_CHARACTERS
    )


def _conditions(request: SentRequest) -> tuple[Noted, Noted]:
    faults = tuple((name, f) for name, f in request.faults if _replayable_faults(f))
    settings = tuple(
        (name, kept)
        for name, changed in request.settings
        if (kept := {k: v for k, v in changed.items() if k in _REPLAYED_SETTINGS.get(name, ())})
    )
    return faults, settings


def _case_of(request: SentRequest) -> Case:
    headers = {name.lower(): value for name, value in request.headers.items()}
    authorization = headers.get("authorization")
    user = _user_of(authorization) if authorization else None
    faults, settings = _conditions(request)
    return Case(
        request.query,
        request.variables,
        user=user,
        authorization=None if user else authorization,
        calico=headers.get("x-calico-token"),
        faults=faults,
        settings=settings,
    )


def recorded_cases(sent: Iterable[SentRequest]) -> list[Case]:
    """The requests sent, a few variable sets per document and caller."""
    kept: dict[tuple[str, str | None, str | None, str | None, str], list[Case]] = {}
    for request in sent:
        case = _case_of(request)
        if len(json.dumps(case.to_json(), default=str)) > _MAX_CASE_CHARACTERS:
            continue
        met = json.dumps([case.faults, case.settings], sort_keys=True, default=str)
        group = kept.setdefault((case.query, case.user, case.authorization, case.calico, met), [])
        if len(group) < _PER_DOCUMENT and case not in group:
            group.append(case)
    return [case for group in kept.values() for case in group]


def is_mutation(query: str) -> bool:
    """Whether the document holds a mutation (or does not parse: nothing to execute)."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return False
    return any(
        isinstance(definition, OperationDefinitionNode)
        and definition.operation is not OperationType.QUERY
        for definition in document.definitions
    )


def _key(case: Case) -> str:
    return json.dumps(case.to_json(), sort_keys=True, default=str)


def _committed() -> list[Case]:
    if not CORPUS.exists():
        return []
    return [Case.from_json(entry) for entry in json.loads(CORPUS.read_text())]


def cases(sent: Iterable[SentRequest]) -> list[Case]:
    """Every case to run: docs examples, the committed corpus, this session's requests."""
    merged: dict[str, Case] = {}
    for case in itertools.chain(markdown_cases(), _committed(), recorded_cases(sent)):
        merged.setdefault(_key(case), case)
    return list(merged.values())


def write_corpus(sent: Iterable[SentRequest]) -> int:
    """Writes the committed corpus from this session's requests (and what it held); returns
    how many cases it holds."""
    merged: dict[str, Case] = {}
    for case in itertools.chain(_committed(), recorded_cases(sent)):
        merged.setdefault(_key(case), case)
    entries = sorted((case.to_json() for case in merged.values()), key=lambda e: json.dumps(e))
    CORPUS.write_text(json.dumps(entries, indent=1, ensure_ascii=False) + "\n")
    return len(entries)
