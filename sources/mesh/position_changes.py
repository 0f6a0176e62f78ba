"""Portfolios that move: what tests change on the Mesh sandbox's users.

`POST /_sandbox/holdings` (a control route, not counted) takes one change:

    {"user": "alice",
     "set": {"EQUITY:TSLA": "0.5",            a position's amount by kind and symbol (the
             "CRYPTOCURRENCY:SOL": "3"},      first of that symbol); a new position if there is
                                              none (priced 1 USD)
     "remove": ["CRYPTOCURRENCY:DOGE"]}       positions that are gone

Kinds are `EQUITY` and `CRYPTOCURRENCY` (Mesh's `equityPositions` and
`cryptocurrencyPositions`); amounts are decimal strings, exact, and a changed position's
`marketValue` is its new amount times its `lastPrice`, to the cent, as Mesh rounds it. Later
answers show the change; `POST /_sandbox/reset` restores the generated portfolios. Unknown keys,
amounts that are not decimals, and removing a position the user lacks are refused with a 400.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sources.mesh import sandbox_data

__all__ = ["MeshChange", "PortfolioChanges", "change_route"]

_LISTS = {"EQUITY": "equityPositions", "CRYPTOCURRENCY": "cryptocurrencyPositions"}
_CENT = Decimal("0.01")


class MeshChange(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    user: str
    set: dict[str, str] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(item) for item in value]
    return value


def _parts(text: str) -> tuple[str, str]:
    kind, _, symbol = text.partition(":")
    if kind not in _LISTS or not symbol:
        raise ValueError(f"{text!r} is not EQUITY:<symbol> or CRYPTOCURRENCY:<symbol>")
    return _LISTS[kind], symbol


class PortfolioChanges:
    """The users' portfolios as changed since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._portfolios: dict[str, dict[str, Any]] = {}

    def portfolio_of(self, user: str) -> Mapping[str, Any] | None:
        """The changed content of `user`'s portfolio, or None when unchanged."""
        return self._portfolios.get(user)

    def apply(self, change: MeshChange) -> dict[str, Any]:
        current = self._portfolios.get(change.user)
        if current is None:
            generated = sandbox_data.portfolio_of(change.user)
            current = _thaw(generated) if generated is not None else {}
        content = copy.deepcopy(current)
        for text, raw in change.set.items():
            key, symbol = _parts(text)
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise ValueError(f"set.{text}: {raw!r} is not a decimal amount") from None
            if not amount.is_finite():
                raise ValueError(f"set.{text}: {raw!r} is not an amount")
            positions = content.setdefault(key, None) or []
            content[key] = positions
            found = next((p for p in positions if p.get("symbol") == symbol), None)
            if found is None:
                found = {"symbol": symbol, "name": symbol, "lastPrice": Decimal(1)}
                positions.append(found)
            found["amount"] = amount
            price = found.get("lastPrice")
            if isinstance(price, Decimal | int):
                found["marketValue"] = (amount * price).quantize(_CENT)
        for text in change.remove:
            key, symbol = _parts(text)
            positions = content.get(key) or []
            kept = [p for p in positions if p.get("symbol") != symbol]
            if len(kept) == len(positions):
                raise ValueError(f"remove: {change.user!r} has no position {text!r}")
            content[key] = kept
        self._portfolios[change.user] = content
        count = sum(len(content.get(key) or []) for key in _LISTS.values())
        return {"user": change.user, "positions": count}


async def change_route(changes: PortfolioChanges, request: web.Request) -> web.Response:
    """`POST /_sandbox/holdings`."""
    try:
        answer = changes.apply(MeshChange.model_validate(await request.json()))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return web.json_response({"error": problems}, status=400)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(answer)
