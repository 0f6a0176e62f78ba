"""Response bodies encoded with orjson: the same JSON values as the standard library writes.

Encoding a page of 100 holdings (ids, cursors, amounts) is a measurable share of a request's
CPU (bench/RESULTS.md, "Profile"); orjson does it several times faster. Text is written as
UTF-8 rather than `\\u` escapes (equal JSON strings). Numbers stay exact:
amounts, prices and values are already strings (the `Decimal` scalars), and anything orjson
refuses (an integer beyond 64 bits, a string holding a lone surrogate) falls back to
`json.dumps` with ASCII escapes, never to a float.
"""

from __future__ import annotations

import json

import orjson

__all__ = ["encode_json"]


def encode_json(data: object) -> bytes:
    """`data` as compact UTF-8 JSON."""
    try:
        return orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        # `ensure_ascii`: a lone surrogate (an operation name or variable echoed in a message)
        # becomes a `\ud800` escape instead of a UnicodeEncodeError (HTTP 500).
        return json.dumps(data, separators=(",", ":")).encode("ascii")
