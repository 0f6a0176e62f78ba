"""The credential headers, checked before anything runs: each at most once, and bounded.

`Authorization` (the bearer JWT) and `X-Calico-Token` (forwarded to Calico) decide whose data a
request reads. Sent twice (a client merging headers, a proxy appending its own), "the first one
wins" would let the two disagree on who the caller is, so the request is refused. A credential
longer than any real one, or a Calico token with characters no token has, is refused too, so it
is never verified, forwarded or echoed. Refusals are 400s that name the header, never its value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from web.refusal import RequestRefusal

__all__ = ["MAX_AUTHORIZATION_CHARACTERS", "MAX_CALICO_TOKEN_CHARACTERS", "credential_refusal"]

MAX_AUTHORIZATION_CHARACTERS = 8192
"""Longest `Authorization` header (a JWT with many claims is a few KB)."""
MAX_CALICO_TOKEN_CHARACTERS = 4096
"""Longest `X-Calico-Token` (an OAuth access token)."""

_NAMES = {b"authorization": "Authorization", b"x-calico-token": "X-Calico-Token"}
_LIMITS = {
    b"authorization": MAX_AUTHORIZATION_CHARACTERS,
    b"x-calico-token": MAX_CALICO_TOKEN_CHARACTERS,
}
# Visible ASCII: what an OAuth access token is made of (RFC 6750's b64token and more).
_TOKEN = re.compile(rb"[\x21-\x7e]+")


def credential_refusal(headers: Iterable[tuple[bytes, bytes]]) -> RequestRefusal | None:
    """Why the credential headers in `headers` (ASGI's, names in lower case) are refused."""
    seen: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        if name in _NAMES:
            seen.setdefault(name, []).append(value)
    for name, values in seen.items():
        label = _NAMES[name]
        if len(values) > 1:
            return RequestRefusal(
                400,
                f"{label} is sent {len(values)} times; send it once (which one would decide "
                "whose data this is)",
                code="BAD_REQUEST",
            )
        value = values[0].strip()
        if len(value) > _LIMITS[name]:
            return RequestRefusal(
                400,
                f"{label} has {len(value)} characters, more than {_LIMITS[name]}; "
                "it is not a credential this server accepts",
                code="UNAUTHENTICATED",
            )
        if name == b"x-calico-token" and value and not _TOKEN.fullmatch(value):
            return RequestRefusal(
                400,
                f"{label} holds characters an access token never has (only visible ASCII)",
                code="UNAUTHENTICATED",
            )
    return None
