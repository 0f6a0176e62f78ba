"""Trusted documents: the manifest of the only operations a server in trusted mode runs.

`TRUSTED_DOCUMENTS` names a JSON file in one of the two forms the clients' build tools write:

    Relay's `persistConfig: {"file": ...}` output     {"<id>": "<operation text>", ...}
    Apollo's persisted-query manifest                 {"format": "apollo-persisted-query-manifest",
      (`generate-persisted-query-manifest`)             "version": 1, "operations":
                                                          [{"id", "name", "type", "body"}, ...]}

A client names an operation by its id (`extensions.persistedQuery.sha256Hash`, as Apollo's
persisted-query link sends it, or as a Relay network layer sends `operation.id`), or sends a
text that is exactly one of the manifest's. Relay's ids may be MD5 or SHA-1 hashes (its
`algorithm` option), so an id is only ever looked up, never recomputed from the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ManifestError", "TrustedDocuments", "load_manifest"]

APOLLO_FORMAT = "apollo-persisted-query-manifest"


class ManifestError(ValueError):
    """The manifest cannot be read or is in neither form; the message says where and why."""


class TrustedDocuments:
    """The manifest's operations, by id and by text."""

    def __init__(self, by_id: Mapping[str, str], source: str) -> None:
        self._by_id = dict(by_id)
        self._texts = frozenset(self._by_id.values())
        self.source = source
        """Where they came from (the file), for messages."""

    def __len__(self) -> int:
        return len(self._by_id)

    def text(self, document_id: str) -> str | None:
        return self._by_id.get(document_id)

    def trusts(self, text: str) -> bool:
        """Whether `text` is, character for character, one of the manifest's operations."""
        return text in self._texts


def load_manifest(path: Path) -> TrustedDocuments:
    """The manifest at `path`, in Relay's or Apollo's form."""
    try:
        parsed = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ManifestError(f"{path}: cannot be read ({reason})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: is not a JSON file ({exc})") from None
    return TrustedDocuments(by_id=_operations(parsed, path), source=str(path))


def _operations(parsed: Any, path: Path) -> dict[str, str]:
    if not isinstance(parsed, dict):
        raise ManifestError(f"{path}: a manifest is a JSON object, not {type(parsed).__name__}")
    if "format" in parsed:
        return _apollo(parsed, path)
    return _relay(parsed, path)


def _relay(parsed: dict[str, Any], path: Path) -> dict[str, str]:
    bad = next((key for key, text in parsed.items() if not _text(text)), None)
    if bad is not None:
        raise ManifestError(
            f"{path}: in Relay's form every value is an operation's text; {bad[:40]!r} is not"
        )
    if not parsed:
        raise ManifestError(f"{path}: holds no operation")
    return dict(parsed)


def _apollo(parsed: dict[str, Any], path: Path) -> dict[str, str]:
    if parsed.get("format") != APOLLO_FORMAT or parsed.get("version") != 1:
        raise ManifestError(
            f"{path}: format {str(parsed.get('format'))[:40]!r} version "
            f"{str(parsed.get('version'))[:10]!r} is not {APOLLO_FORMAT!r} version 1"
        )
    operations = parsed.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ManifestError(f"{path}: `operations` must be a non-empty list")
    found: dict[str, str] = {}
    for index, operation in enumerate(operations):
        if not (
            isinstance(operation, dict)
            and isinstance(operation.get("id"), str)
            and operation["id"]
            and _text(operation.get("body"))
        ):
            raise ManifestError(
                f"{path}: operations[{index}] needs a string `id` and a string `body`"
            )
        found[operation["id"]] = operation["body"]
    return found


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())
