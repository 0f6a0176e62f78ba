"""Which feed a subscription follows: one per public account, one per user's custodial account.

A public (on-chain) account's feed is shared by every subscriber, and with Redis by every
replica (`name` is its key there). A custodial account's feed belongs to one user and one
credential: its key carries a SHA-256 of the user id and their Calico token (never the token),
so two users, or one user with two tokens, never share a reading; it is never shared through
Redis (the credential stays in the process that was given it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from resolvers.identity import Caller
from resolvers.records import AccountRecord

__all__ = ["FeedKey", "credential_of"]


@dataclass(frozen=True, slots=True)
class FeedKey:
    account_id: str
    credential: str | None = None
    """None for a public account; else the hash naming the user and credential."""

    @property
    def shared(self) -> bool:
        return self.credential is None

    @classmethod
    def of(cls, account: AccountRecord, caller: Caller) -> FeedKey:
        if not account.custodial:
            return cls(account.id)
        return cls(account.id, credential_of(caller))


def credential_of(caller: Caller) -> str:
    """A stable name for the caller's identity and Calico token (none: anonymous)."""
    identity = caller.identity
    if identity is None:
        return "anonymous"
    material = f"{identity.user_id}\0{identity.calico_token or ''}".encode()
    return hashlib.sha256(material).hexdigest()
