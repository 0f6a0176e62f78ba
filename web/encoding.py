"""Response bodies encoded with orjson: the same JSON values as the standard library writes.

Encoding a page of 100 holdings (ids, cursors, amounts) is a measurable share of a request's
CPU (bench/RESULTS.md, "Profile"); orjson does it several times faster. Text is written as
UTF-8 rather than `\\u` escapes (equal JSON strings). Numbers stay exact:
amounts, prices and values are already strings (the `Decimal` scalars), and anything orjson
refuses (an integer beyond 64 bits) falls back to `json.dumps`, never to a float.
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
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
