"""Global object ids: opaque strings that name a node and round-trip through `node(id:)`.

An id is the URL-safe base64 (unpadded) of a compact JSON array `[type, part, ...]`, for example
`["Account", "ALGORAND", "<address>"]`. Clients must treat it as opaque; the server decodes it to
find the node again. It is not signed: every part is checked again when the id is resolved.
"""

import base64
import binascii
import functools
import json

from resolvers.errors import BadUserInput, shown

__all__ = ["decode_id", "encode_id", "not_ours", "uint64"]

_UINT64_MAX = 2**64 - 1


# A page of 100 holdings encodes 300 ids (holding, asset, provider), mostly the same assets and
# providers request after request: a bounded cache of the pure encoding saves the JSON and
# base64 work without changing a byte of any id.
@functools.lru_cache(maxsize=65536)
def encode_id(type_name: str, *parts: str) -> str:
    """The id of the `type_name` node named by `parts`."""
    text = json.dumps([type_name, *parts], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_id(value: str) -> tuple[str, tuple[str, ...]]:
    """(type name, parts) of an id this graph issued; `BadUserInput` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        decoded = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        decoded = None
    if (
        not isinstance(decoded, list)
        or len(decoded) < 2
        or not all(isinstance(part, str) for part in decoded)
    ):
        raise not_ours(value)
    return decoded[0], tuple(decoded[1:])


def not_ours(value: str) -> BadUserInput:
    """The error for an id that names nothing this graph could have issued."""
    return BadUserInput(f"id: {shown(value)!r} is not an id this graph issued")


def uint64(text: str) -> int | None:
    """`text` as an unsigned 64-bit integer written in ASCII digits, else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        return None
    value = int(text)
    return value if value <= _UINT64_MAX else None
