"""Signed, opaque, versioned cursors bound to one connection and, for custodial data, one user.

A cursor carries an upstream position (an algod `next` token, a CardanoBI page, a Calico cursor),
so it is signed with HMAC-SHA256 under `CURSOR_SECRET`: a client can hand it back but cannot forge
or alter one. Layout: URL-safe base64 of `version(1) || mac(16) || payload`, where the payload is
compact JSON `{"c": connection, "u": user, "p": position}` and the MAC covers version and payload.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import json
from typing import Any

from resolvers.errors import BadUserInput, Forbidden, shown

__all__ = ["CursorCodec"]

_VERSION = 1
_MAC_BYTES = 16


class CursorCodec:
    """Issues and checks cursors under one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the cursor secret must have at least 16 bytes")
        self._secret = secret
        # A page's cursors repeat request after request (the same list, the same positions):
        # a bounded cache of the pure encoding spares the JSON and the HMAC of each one.
        self._issued = functools.lru_cache(maxsize=65536)(self._encode)

    def _mac(self, data: bytes) -> bytes:
        return hmac.new(self._secret, data, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, connection: str, position: Any, *, user: str | None = None) -> str:
        """A cursor that resumes `connection` at `position` (JSON-able), for `user`."""
        try:
            return self._issued(connection, position, user)
        except TypeError:  # a position that is not hashable (a list): encoded each time
            return self._encode(connection, position, user)

    def _encode(self, connection: str, position: Any, user: str | None) -> str:
        payload = json.dumps(
            {"c": connection, "u": user, "p": position}, separators=(",", ":")
        ).encode("utf-8")
        head = bytes([_VERSION])
        raw = head + self._mac(head + payload) + payload
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def decode(self, cursor: str, connection: str, *, caller: str | None = None) -> Any:
        """The position in `cursor`, if it was issued for this connection, to `caller`.

        A cursor that is not ours (bad encoding, version or signature) or belongs to another
        connection is bad input; one that carries another user's custodial list is forbidden
        (whatever connection it is sent to: it is checked first).
        """
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        head, mac, payload = raw[:1], raw[1 : 1 + _MAC_BYTES], raw[1 + _MAC_BYTES :]
        if (
            head != bytes([_VERSION])
            or not payload
            or not hmac.compare_digest(mac, self._mac(head + payload))
        ):
            raise BadUserInput(
                f"after: {shown(cursor)!r} is not a valid cursor; pass an endCursor or "
                "edge cursor this connection returned"
            )
        data = json.loads(payload)
        owner = data.get("u")
        if owner is not None and owner != caller:
            raise Forbidden("after: this cursor was issued to another user")
        if data.get("c") != connection:
            raise BadUserInput(
                f"after: {shown(cursor)!r} is a cursor of another connection; "
                "a cursor only resumes the connection (and filter) that issued it"
            )
        return data.get("p")
