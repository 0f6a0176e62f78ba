"""Stake addresses that move: what tests change on the CardanoBI sandbox's accounts.

`POST /_sandbox/holdings` (a control route, not counted) takes one change:

    {"account": "stake1…",
     "set": {"asset1…": 45, "ADA": 1234567891},   a token's quantity (one the account does not
                                                 hold yet must be held by some sandbox account:
                                                 its policy and name come from there); "ADA":
                                                 the account's total balance in lovelace
     "remove": ["asset1…"]}                      tokens it no longer holds

Quantities are whole numbers >= 0 (CardanoBI's ulong). Later answers of the account and tokens
routes show the change; `POST /_sandbox/reset` restores the generated data. Unknown keys, a
quantity that is not a whole number, or a fingerprint the sandbox does not know are refused
with a 400 naming them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sources.cardanobi import sandbox_data
from sources.cardanobi.sandbox_data import TokenData

__all__ = ["CardanoChange", "TokenChanges", "change_route"]

_ADA = "ADA"
_ULONG_MAX = 2**64 - 1


class CardanoChange(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    account: str
    set: dict[str, int] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)


def _known(fingerprint: str) -> TokenData:
    for held in sandbox_data.tokens().values():
        for token in held:
            if token.fingerprint == fingerprint:
                return token
    raise ValueError(f"set: the sandbox knows no token {fingerprint!r}")


class TokenChanges:
    """The accounts' tokens and balances as changed since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._tokens: dict[str, list[TokenData]] = {}
        self._balances: dict[str, int] = {}

    def tokens_of(self, account: str) -> list[TokenData] | None:
        """The changed tokens of `account` (None: unchanged)."""
        return self._tokens.get(account)

    def balance_of(self, account: str) -> int | None:
        return self._balances.get(account)

    def apply(self, change: CardanoChange) -> dict[str, Any]:
        held = list(self._tokens.get(change.account, sandbox_data.tokens().get(change.account, [])))
        for key, quantity in change.set.items():
            if not 0 <= quantity <= _ULONG_MAX:
                raise ValueError(f"set.{key}: {quantity} is not a ulong quantity")
            if key == _ADA:
                self._balances[change.account] = quantity
                continue
            found = next((n for n, t in enumerate(held) if t.fingerprint == key), None)
            if found is None:
                held.append(dataclasses.replace(_known(key), quantity=quantity))
            else:
                held[found] = dataclasses.replace(held[found], quantity=quantity)
        for fingerprint in change.remove:
            kept = [t for t in held if t.fingerprint != fingerprint]
            if len(kept) == len(held):
                raise ValueError(f"remove: {change.account!r} holds no {fingerprint!r}")
            held = kept
        self._tokens[change.account] = sorted(held, key=lambda t: t.fingerprint)
        return {"account": change.account, "tokens": len(held)}


async def change_route(changes: TokenChanges, request: web.Request) -> web.Response:
    """`POST /_sandbox/holdings`."""
    try:
        answer = changes.apply(CardanoChange.model_validate(await request.json()))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return web.json_response({"error": problems}, status=400)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(answer)
