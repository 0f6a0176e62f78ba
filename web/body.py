"""Reading a GraphQL request's JSON (a POST body, or a GET's `variables` and `extensions`).

Every malformed input is a coded 400 naming what was wrong, never a 500 with a traceback:

- bytes that are not UTF-8 (the offset and the byte are named);
- JSON nested deeper than `MAX_JSON_DEPTH` (the standard parser recurses, and 1,000 levels raise
  `RecursionError`), checked by a linear scan before parsing;
- a number literal longer than `MAX_NUMBER_CHARACTERS` (Python refuses integers over 4,300
  digits with a `ValueError`, and nothing in the schema needs more than a few dozen), and `NaN`
  or `Infinity`, which are not JSON;
- any other syntax error, with its position.

`BodyAdapter` is the request as Strawberry's view reads it, with the media type of
`Content-Type` compared case-insensitively (`APPLICATION/JSON` is `application/json`, RFC 9110
§8.3.1). `content_coding_refusal` refuses a `Content-Encoding` other than `identity`: bodies are
not decompressed (a compressed body would be parsed as its compressed bytes).
"""

from __future__ import annotations

import json
import re
from typing import Any

from cross_web import StarletteRequestAdapter

from web.echo import clip
from web.refusal import RequestRefusal

__all__ = [
    "MAX_JSON_DEPTH",
    "MAX_NUMBER_CHARACTERS",
    "BodyAdapter",
    "content_coding_refusal",
    "read_json",
]

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects (a GraphQL request's variables nest a few levels)."""
MAX_NUMBER_CHARACTERS = 100
"""Longest number literal (GraphQL's `Int` has 10 digits; big amounts travel as strings)."""

# A JSON string (so the brackets inside it are skipped), or a bracket.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class _Refused(Exception):
    """A JSON hook's refusal, raised out of `json.loads`."""


def _bad(message: str) -> RequestRefusal:
    return RequestRefusal(400, message, code="BAD_REQUEST")


def read_json(data: str | bytes) -> Any:
    """The JSON value of `data`, or a coded `RequestRefusal` (400) saying what is wrong."""
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            byte = error.object[error.start]
            raise _bad(
                f"the body is not UTF-8: byte 0x{byte:02x} at offset {error.start} "
                "does not start a UTF-8 character"
            ) from None
    else:
        text = data
    _check_depth(text)
    try:
        return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_not_json)
    except _Refused as refusal:
        raise _bad(str(refusal)) from None
    except json.JSONDecodeError as error:
        # The message is the parser's own (what it expected, where), never the input.
        raise _bad(f"the body is not valid JSON: {error.msg} at offset {error.pos}") from None
    except RecursionError:  # belt and braces: the scan above bounds the depth
        raise _bad(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels") from None


def _check_depth(text: str) -> None:
    # Few brackets cannot nest deep: most requests skip the scan.
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        first = text[match.start()]
        if first in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _bad(
                    f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels "
                    f"(at offset {match.start()})"
                )
        elif first in "]}":
            depth -= 1


def _long(literal: str) -> _Refused:
    return _Refused(
        f"the number {clip(literal, 40)} has {len(literal)} characters, more than "
        f"{MAX_NUMBER_CHARACTERS}; send long numbers as strings"
    )


def _integer(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARACTERS:
        raise _long(literal)
    return int(literal)


def _float(literal: str) -> float:
    # The standard parser's own choice (a float): GraphQL's `Float` takes it; amounts and prices
    # are `Decimal` strings, never JSON numbers.
    if len(literal) > MAX_NUMBER_CHARACTERS:
        raise _long(literal)
    return float(literal)


def _not_json(constant: str) -> Any:
    raise _Refused(f"{constant} is not JSON (RFC 8259 has no NaN or Infinity)")


def content_coding_refusal(content_encoding: str | None) -> RequestRefusal | None:
    """A 415 for a `Content-Encoding` other than `identity` (None when there is none)."""
    if content_encoding is None:
        return None
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    if all(coding == "identity" for coding in codings):
        return None
    return RequestRefusal(
        415,
        f"Content-Encoding: {clip(content_encoding)!r} is not supported; "
        "send the body uncompressed (identity)",
        code="UNSUPPORTED_MEDIA_TYPE",
        # RFC 9110 §15.5.16: a 415 for a content coding says which codings are accepted.
        headers={"Accept-Encoding": "identity"},
    )


class BodyAdapter(StarletteRequestAdapter):
    """Strawberry's request adapter, with the media type of `Content-Type` in lower case."""

    @property
    def content_type(self) -> str | None:
        sent = super().content_type
        if sent is None:
            return None
        media_type, separator, parameters = sent.partition(";")
        return media_type.strip().lower() + separator + parameters
