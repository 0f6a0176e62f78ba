"""Positions that move: what tests change on the Calico sandbox's users.

`POST /_sandbox/holdings` (a control route, not counted) takes one change:

    {"user": "alice",
     "set": {"coinbase:BTC": "1.5"},     a position's amount (provider:symbol, or
                                         provider:symbol:chain); a new position if the user
                                         has none there (priced 1 USD)
     "remove": ["kraken:ADA"]}           positions that are gone

Amounts are decimal strings, exact. Changed and new positions are read at the time of the
change (`time_fetched`). Later answers of `GET /accounts/v2/assets` show the change; `POST
/_sandbox/reset` restores the generated data. Unknown keys, amounts that are not decimals and a
removal of a position the user does not have are refused with a 400 naming them.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sources.calico.sandbox_data import AssetData, assets_of

__all__ = ["CalicoChange", "PositionChanges", "change_route"]


class CalicoChange(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    user: str
    set: dict[str, str] = Field(default_factory=dict)
    remove: list[str] = Field(default_factory=list)


def _key(asset: AssetData) -> tuple[str, str, str]:
    return (asset.provider_id, asset.asset_symbol, asset.chain or "")


def _parts(text: str) -> tuple[str, str, str | None]:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(parts[:2]):
        raise ValueError(f"{text!r} is not provider:symbol or provider:symbol:chain")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else None


class PositionChanges:
    """The users' positions as changed since the last reset."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._positions: dict[str, list[AssetData]] = {}

    def assets_of(self, user: str) -> list[AssetData]:
        changed = self._positions.get(user)
        return list(changed) if changed is not None else assets_of(user)

    def apply(self, change: CalicoChange) -> dict[str, Any]:
        positions = self.assets_of(change.user)
        read = datetime.now(UTC)
        now = read.replace(microsecond=read.microsecond // 1000 * 1000)  # Calico's milliseconds
        for text, raw in change.set.items():
            provider, symbol, chain = _parts(text)
            try:
                amount = Decimal(raw)
            except InvalidOperation:
                raise ValueError(f"set.{text}: {raw!r} is not a decimal amount") from None
            if not amount.is_finite() or amount < 0:
                raise ValueError(f"set.{text}: {raw!r} is not an amount")
            found = [
                n
                for n, a in enumerate(positions)
                if a.provider_id == provider
                and a.asset_symbol == symbol
                and (chain is None or (a.chain or "") == chain)
            ]
            if found:
                n = found[0]
                positions[n] = dataclasses.replace(
                    positions[n], asset_holdings=amount, time_fetched=now
                )
            else:
                positions.append(
                    AssetData(provider, symbol, chain, amount, None, Decimal(1), now, None, True)
                )
        for text in change.remove:
            provider, symbol, chain = _parts(text)
            kept = [
                a
                for a in positions
                if not (
                    a.provider_id == provider
                    and a.asset_symbol == symbol
                    and (chain is None or (a.chain or "") == chain)
                )
            ]
            if len(kept) == len(positions):
                raise ValueError(f"remove: {change.user!r} has no position {text!r}")
            positions = kept
        self._positions[change.user] = sorted(positions, key=lambda a: a.order_key)
        return {"user": change.user, "holdings": len(self._positions[change.user])}


async def change_route(changes: PositionChanges, request: web.Request) -> web.Response:
    """`POST /_sandbox/holdings`."""
    try:
        answer = changes.apply(CalicoChange.model_validate(await request.json()))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return web.json_response({"error": problems}, status=400)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    return web.json_response(answer)
