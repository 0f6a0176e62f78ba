"""A reading as bytes for Redis, and back: what one replica read, the others deliver.

Records are written field by field from their dataclass definitions (so a field added to a
record travels without a change here): a `Decimal` as its exact text, a time in ISO 8601, an
enum by value, a tuple as a list. Problems travel as their client-facing description (code,
message, extensions, the `describe` the schema translates errors with), and come back as
`RelayedError`s that describe themselves the same way. Only public accounts' readings are
written: no credential and no custodial data ever reach Redis.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from resolvers.live.errors import RelayedError
from resolvers.live.records import Reading
from resolvers.portfolio import SourceProblem
from resolvers.records import AccountRecord, HoldingRecord
from sources import Source

__all__ = ["Describe", "ReadingCodec"]

Describe = Callable[[BaseException], tuple[str, dict[str, Any]]]
"""(message, extensions) a client sees for an error: `schema.errors.describe`."""

_VERSION = 1


def _dump(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_dump(item) for item in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _load(options[0], value)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_load(item, element) for element in value)
    if isinstance(kind, type):
        if dataclasses.is_dataclass(kind):
            hints = _hints(kind)
            names = {f.name for f in dataclasses.fields(kind) if f.init}
            return kind(
                **{name: _load(hints[name], value[name]) for name in names if name in value}
            )
        if issubclass(kind, Decimal):
            return Decimal(value)
        if issubclass(kind, datetime):
            return datetime.fromisoformat(value)
        if issubclass(kind, Enum | Source):  # a Source is one object per name: `is` holds
            return kind(value)
    return value


class ReadingCodec:
    """Writes and reads `Reading`s of public accounts."""

    def __init__(self, describe: Describe) -> None:
        self._describe = describe

    def dumps(self, reading: Reading) -> bytes:
        problems = []
        for problem in reading.problems:
            message, extensions = self._describe(problem.error)
            problems.append(
                {
                    "source": problem.source.value,
                    "account": _dump(problem.account),
                    "message": message,
                    "extensions": extensions,
                }
            )
        document = {
            "v": _VERSION,
            "account": _dump(reading.account),
            "read_at": reading.read_at.isoformat(),
            "holdings": None if reading.holdings is None else _dump(reading.holdings),
            "problems": problems,
            "round": reading.round,
            "seq": reading.seq,
        }
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    def loads(self, data: bytes) -> Reading | None:
        """The reading, or None when it was written by another version of the server."""
        document = json.loads(data)
        if not isinstance(document, dict) or document.get("v") != _VERSION:
            return None
        holdings = document["holdings"]
        return Reading(
            account=_load(AccountRecord, document["account"]),
            read_at=datetime.fromisoformat(document["read_at"]),
            holdings=None
            if holdings is None
            else tuple(_load(HoldingRecord, item) for item in holdings),
            problems=tuple(
                SourceProblem(
                    Source(item["source"]),
                    RelayedError(item["message"], item["extensions"]),
                    _load(AccountRecord, item["account"]),
                )
                for item in document["problems"]
            ),
            round=document["round"],
            seq=document["seq"],
        )
