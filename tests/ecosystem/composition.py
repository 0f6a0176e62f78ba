"""What the gateway and stitching tests ask, and what they expect, from the sandboxes' data.

Two questions: `user(id:)` with its on-chain wallets (exact holdings across subgraphs), and
alice's custodial accounts, whose Calico `binance` fails (the Calico sandbox's
`FAILING_PROVIDERS`): asked both at the root (`viewer`) and across subgraphs (`user("alice")`
whose wallet is her CALICO account), with her headers, which each gateway passes on.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from tests.ecosystem.node_tools import node, run_tool
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

#: Users whose wallets are custodial accounts: the gateway reaches them with the user's headers.
CUSTODIAL_USERS = {"alice": [{"source": "CALICO", "address": "alice"}]}
#: Every user the `users` service serves.
ALL_USERS = {**USERS, **CUSTODIAL_USERS}

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


PARTIAL_FIRST = 3

_FAILURE = (
    "fragment Failure on SourceError { source code provider cause message retryAfterSeconds }"
)
#: alice's accounts, with what failed of each read as data (`errors`, `complete`).
PARTIAL = f"""
query AlicePartial {{
  viewer {{ userId accounts {{ ...Read }} }}
  user(id: "alice") {{ id wallets {{ ...Read }} }}
}}
fragment Read on Account {{
  source
  address
  errors {{ ...Failure }}
  holdings(first: {PARTIAL_FIRST}) {{
    complete
    errors {{ ...Failure }}
    nodes {{ amount asset {{ symbol }} provider {{ slug }} }}
  }}
}}
{_FAILURE}
"""

#: The same without the `errors` fields: the failure then comes as a GraphQL error only.
PARTIAL_UNREAD = PARTIAL.replace("errors { ...Failure }", "").replace(_FAILURE, "")


def alice_failures() -> list[dict[str, Any]]:
    """alice's failing Calico providers as `SourceError`s (the Calico sandbox's data)."""
    return [
        {
            "source": "CALICO",
            "code": "PROVIDER_ERROR",
            "provider": provider,
            "cause": cause,
            "message": f"Calico could not read provider {provider!r}: {cause}",
            "retryAfterSeconds": None,
        }
        for provider, cause in calico_data.failures_of("alice").items()
    ]


def alice_calico_holdings() -> list[dict[str, Any]]:
    """The first holdings of alice's CALICO account, in Calico's order."""
    return [
        {
            "amount": _plain(asset.asset_holdings),
            "asset": {"symbol": asset.asset_symbol},
            "provider": {"slug": asset.provider_id},
        }
        for asset in calico_data.assets_of("alice")[:PARTIAL_FIRST]
    ]


def check_partial(answer: dict[str, Any]) -> None:
    """`PARTIAL` answered with alice's holdings and her binance failure as data, and no
    GraphQL error (nothing is null; a client with Apollo's default errorPolicy keeps it)."""
    assert "errors" not in answer, answer["errors"]
    data = answer["data"]
    calico, mesh = data["viewer"]["accounts"]
    assert (calico["source"], mesh["source"]) == ("CALICO", "MESH")
    assert calico["errors"] == alice_failures()
    assert calico["holdings"] == {
        "complete": False,
        "errors": alice_failures(),
        "nodes": alice_calico_holdings(),
    }
    assert mesh["errors"] == [] and mesh["holdings"]["errors"] == []
    assert mesh["holdings"]["complete"] is True and len(mesh["holdings"]["nodes"]) == PARTIAL_FIRST
    # Across subgraphs: the users service's wallet is the same account, read the same.
    assert data["user"] == {"id": "alice", "wallets": [calico]}


async def ask_partial(graph: GraphClient, url: str, query: str = PARTIAL) -> dict[str, Any]:
    """`query` (alice's accounts) asked of the composed graph at `url`, with her headers."""
    body = {"query": query}
    headers = graph.headers("alice", calico=True)
    async with graph.http.post(url, json=body, headers=headers) as response:
        assert response.status == 200, await response.text()
        answer: dict[str, Any] = await response.json()
        return answer


def failure_codes(answer: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
    """The GraphQL errors of `answer`, as {path: code}."""
    return {
        tuple(error.get("path") or ()): error.get("extensions", {}).get("code")
        for error in answer.get("errors") or ()
    }


#: Where `PARTIAL_UNREAD` meets alice's binance failure: at the root, and across subgraphs.
ROOT_FAILURE = ("viewer", "accounts", 0, "holdings")
WALLET_FAILURE = ("user", "wallets", 0, "holdings")


def _untyped(value: Any) -> Any:
    """`value` without the `__typename`s Apollo Client adds to every selection."""
    if isinstance(value, dict):
        return {k: _untyped(v) for k, v in value.items() if k != "__typename"}
    if isinstance(value, list):
        return [_untyped(item) for item in value]
    return value


async def apollo_with_defaults(
    graph: GraphClient, url: str, query: str, user: str = "alice"
) -> dict[str, Any]:
    """`query` run by Apollo Client with its defaults (errorPolicy 'none') against `url`, with
    `user`'s headers: {data (without `__typename`s), errors (its message), codes}."""
    headers = json.dumps(graph.headers(user, calico=True))
    operations = json.dumps([{"query": query, "variables": {}}])
    finished = await run_tool(node(), "apollo-client.mjs", "default", url, headers, operations)
    assert finished.returncode == 0, finished.stderr
    ((result,),) = [run["results"] for run in json.loads(finished.stdout)["runs"]]
    return {**result, "data": _untyped(result["data"])}
