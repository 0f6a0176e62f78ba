"""The fifth source's sandbox: its wallets and their balances, served as its upstream would."""

from __future__ import annotations

from aiohttp import web

from sources.sandboxing import Sandbox, json_response
from tests.registry.fifth_source.identity import FIFTH

__all__ = ["BALANCES_PATH", "WALLETS", "FifthSandbox"]

BALANCES_PATH = "/v1/wallets/{address}/balances"
WALLETS: dict[str, list[dict[str, str]]] = {
    "alpha": [
        {"symbol": "FTH", "name": "Fifth Token", "amount": "12.000000000000000001"},
        {"symbol": "GLD", "name": "Gold", "amount": "0.5"},
        {"symbol": "ZRO", "name": "Zero", "amount": "0"},
    ],
    "beta": [{"symbol": "FTH", "name": "Fifth Token", "amount": "18446744073709551616"}],
}
"""Amounts as the upstream writes them: strings, exact to the last digit."""


class FifthSandbox(Sandbox):
    source = FIFTH

    def routes(self) -> list[web.RouteDef]:
        return [web.get(BALANCES_PATH, self._balances)]

    async def _balances(self, request: web.Request) -> web.Response:
        balances = WALLETS.get(request.match_info["address"])
        if balances is None:
            return json_response({"error": "no such wallet"}, status=404)
        return json_response({"balances": balances})
