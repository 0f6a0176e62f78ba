"""The fifth source's client: one method per endpoint, answers parsed exactly or refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sources.http import HttpUpstream, UpstreamRequest, UpstreamResponse, path_segment
from sources.parsing import expect_object
from tests.registry.fifth_source.identity import FIFTH

__all__ = ["Balance", "FifthClient", "Wallet"]


@dataclass(frozen=True, slots=True)
class Balance:
    symbol: str
    name: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Wallet:
    """A wallet's balances (None: the upstream does not know the wallet)."""

    balances: tuple[Balance, ...] | None
    fetched_at: datetime


class FifthClient:
    def __init__(self, http: HttpUpstream) -> None:
        self._http = http

    async def wallet(self, address: str) -> Wallet:
        path = f"/v1/wallets/{path_segment(address)}/balances"
        request = UpstreamRequest(
            "GET",
            path,
            accept=(200, 404),
            endpoint="GET /v1/wallets/{address}/balances",
            parse=_wallet,
        )
        return await self._http.send(request)


def _wallet(response: UpstreamResponse) -> Wallet:
    if response.status == 404:
        return Wallet(None, response.read_at)
    root = expect_object(FIFTH, response.json(), "the balances answer")
    balances = tuple(
        Balance(item.string("symbol"), item.opt_string("name"), item.decimal("amount", minimum=0))
        for item in root.objects("balances")
    )
    return Wallet(balances, response.read_at)
