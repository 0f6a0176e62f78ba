"""What the gateway and stitching tests ask, and what they expect, from the sandboxes' data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.harness import GraphClient

FIRST = 2

#: The `users` service's users: each wallet is an `Account` of the holdings graph.
USERS = {
    "ada": [
        {"source": "ALGORAND", "address": algod_data.SMALL},
        {"source": "CARDANO", "address": cardano_data.SMALL},
    ],
    "whale": [{"source": "ALGORAND", "address": algod_data.WHALE}],
}

USER_WALLETS = f"""
query UserWallets($id: ID!) {{
  user(id: $id) {{
    id
    wallets {{
      source
      address
      chainId
      holdings(first: {FIRST}) {{
        nodes {{ amount rawAmount asset {{ assetId fingerprint }} }}
        pageInfo {{ hasNextPage }}
      }}
    }}
  }}
}}
"""


def _plain(value: Decimal) -> str:
    """A Decimal as the graph writes it: plain notation, no trailing fractional zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _algorand(address: str) -> dict[str, Any]:
    holdings = algod_data.account_holdings(address)
    # The native ALGO balance heads the list, then the ASAs in algod's order.
    balance = algod_data.algo_balances()[address]
    nodes: list[dict[str, Any]] = [
        {
            "amount": _plain(Decimal(balance).scaleb(-6)),
            "rawAmount": str(balance),
            "asset": {"assetId": None, "fingerprint": None},
        }
    ]
    for holding in holdings[: FIRST - 1]:
        decimals = algod_data.assets()[holding.asset_id].decimals
        nodes.append(
            {
                "amount": _plain(Decimal(holding.amount).scaleb(-decimals)),
                "rawAmount": str(holding.amount),
                "asset": {"assetId": str(holding.asset_id), "fingerprint": None},
            }
        )
    return {
        "source": "ALGORAND",
        "address": address,
        "chainId": "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k",
        "holdings": {"nodes": nodes, "pageInfo": {"hasNextPage": 1 + len(holdings) > FIRST}},
    }


def _cardano(address: str) -> dict[str, Any]:
    tokens = cardano_data.tokens()[address]
    # The native ADA balance (lovelace) heads the list, then the tokens in CardanoBI's order.
    lovelace = cardano_data.ada_balances()[address]
    nodes: list[dict[str, Any]] = [
        {
            "amount": _plain(Decimal(lovelace).scaleb(-6)),
            "rawAmount": str(lovelace),
            "asset": {"assetId": None, "fingerprint": None},
        }
    ]
    nodes += [
        {
            "amount": str(token.quantity),
            "rawAmount": str(token.quantity),
            "asset": {"assetId": None, "fingerprint": token.fingerprint},
        }
        for token in tokens[: FIRST - 1]
    ]
    return {
        "source": "CARDANO",
        "address": address,
        "chainId": "cip34:1-764824073",
        "holdings": {"nodes": nodes, "pageInfo": {"hasNextPage": 1 + len(tokens) > FIRST}},
    }


def expected_user(user: str) -> dict[str, Any]:
    """`user(id:)` as the composed graph must answer it."""
    wallets = [
        _algorand(w["address"]) if w["source"] == "ALGORAND" else _cardano(w["address"])
        for w in USERS[user]
    ]
    return {"user": {"id": user, "wallets": wallets}}


async def ask(graph: GraphClient, url: str, user: str) -> dict[str, object]:
    """`user(id:)` with its wallets, asked of the composed graph at `url` (gateway or stitched)."""
    body = {"query": USER_WALLETS, "variables": {"id": user}}
    async with graph.http.post(url, json=body) as response:
        assert response.status == 200, await response.text()
        answer: dict[str, object] = await response.json()
        return answer
