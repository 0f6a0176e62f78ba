"""An upstream's answer, and its body read as exact JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sources.errors import UpstreamBadResponse
from sources.source import Source

__all__ = ["UpstreamResponse", "decode_json"]


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """A complete upstream answer whose status the caller said it accepts."""

    source: Source
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    read_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    """When the upstream answered: for an answer from the shared cache, when it was first read."""
    from_cache: bool = False
    """Served from the shared cache of public reads (its `headers` are then empty)."""
    name: str | None = None
    """The upstream's name in messages, when it is not the source's own (an identity server)."""

    def json(self) -> Any:
        """The body as JSON, every non-integer number as an exact `Decimal`."""
        return decode_json(self.source, self.body, name=self.name)


def decode_json(source: Source, body: bytes, *, name: str | None = None) -> Any:
    """Parse JSON exactly: integers as `int`, other numbers as `Decimal`, never a float."""
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UpstreamBadResponse(
            source, f"{name or source.upstream} answered with a body that is not valid JSON"
        ) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")
