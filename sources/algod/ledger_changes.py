"""A ledger that moves: what tests change on the algod sandbox's accounts, and its round.

`POST /_sandbox/holdings` (not counted, like every control route) takes one change:

    {"address": "<address>",            the account (optional: a change of round alone)
     "set": {"31566704": 1234567891,    an ASA's amount in base units (a new opt-in if the
             "ALGO": 5000000000001},    account does not hold it); "ALGO": its microAlgos
     "remove": [2000000001],            ASAs it opts out of
     "rounds": 1}                       how far the round advances (default 1: every change
                                        lands in a new block, as on the chain)

and answers `{"round": <the new round>, "holdings": <how many ASAs the account holds now>}`.
Every later answer of the sandbox (both account routes) shows the changed ledger at the new
round; `POST /_sandbox/reset` restores the generated one. The document is strict: an unknown
key, a negative or non-integer amount, or an amount past uint64 is refused with a 400 naming it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sources.algod.sandbox_data import ROUND, HoldingData, account_holdings, algo_balances

__all__ = ["AlgodChange", "LedgerChanges"]

_UINT64_MAX = 2**64 - 1
_ALGO = "ALGO"


class AlgodChange(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    address: str | None = None
    set: dict[str, int] = Field(default_factory=dict)
    remove: list[int] = Field(default_factory=list)
    rounds: int = Field(1, ge=0, le=1_000_000)


class LedgerChanges:
    """The changes made since the last reset, over the generated ledger."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.rounds = 0
        self._holdings: dict[str, dict[int, HoldingData | None]] = {}
        self._balances: dict[str, int] = {}

    @property
    def round(self) -> int:
        return ROUND + self.rounds

    def touched(self, address: str) -> bool:
        return address in self._holdings

    def holdings_of(self, address: str) -> tuple[HoldingData, ...]:
        """The account's ASAs now, by asset id."""
        changes = self._holdings.get(address)
        if not changes:
            return account_holdings(address)
        held = {holding.asset_id: holding for holding in account_holdings(address)}
        for asset_id, holding in changes.items():
            if holding is None:
                held.pop(asset_id, None)
            else:
                held[asset_id] = holding
        return tuple(held[asset_id] for asset_id in sorted(held))

    def balance_of(self, address: str) -> int:
        return self._balances.get(address, algo_balances().get(address, 0))

    def apply(self, change: AlgodChange) -> dict[str, Any]:
        if (change.set or change.remove) and change.address is None:
            raise ValueError("address: a change of holdings names its account")
        address = change.address or ""
        for key, amount in change.set.items():
            if not 0 <= amount <= _UINT64_MAX:
                raise ValueError(f"set.{key}: {amount} is not a uint64 amount")
            if key != _ALGO and not (key.isdigit() and 0 < int(key) <= _UINT64_MAX):
                raise ValueError(f"set: {key!r} is neither an asset id nor {_ALGO!r}")
        current = {holding.asset_id: holding for holding in self.holdings_of(address)}
        changes = self._holdings.setdefault(address, {}) if change.address else {}
        for key, amount in change.set.items():
            if key == _ALGO:
                self._balances[address] = amount
                continue
            asset_id = int(key)
            frozen = current[asset_id].is_frozen if asset_id in current else False
            changes[asset_id] = HoldingData(asset_id, amount, frozen)
        for asset_id in change.remove:
            changes[asset_id] = None
        self.rounds += change.rounds
        return {"round": self.round, "holdings": len(self.holdings_of(address))}


async def change_route(changes: LedgerChanges, request: web.Request) -> web.Response:
    """`POST /_sandbox/holdings`."""
    try:
        body = await request.json()
        answer = changes.apply(AlgodChange.model_validate(body))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return web.json_response({"error": problems}, status=400)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(answer)
