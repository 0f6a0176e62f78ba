"""What the load tests share: the generated users, the queries they send, what each user must see
(derived from the sandboxes' data modules), and a bounded concurrent runner."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import aiohttp

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data
from tests.harness import GraphClient

USERS = calico_data.GENERATED_USERS
"""sandbox-user-1 … sandbox-user-20: a Calico token each, and a Mesh portfolio each."""

SCHEMA_CODES = frozenset(
    {
        "BAD_USER_INPUT",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "QUERY_TOO_COMPLEX",
        "UPSTREAM_UNAVAILABLE",
        "UPSTREAM_TIMEOUT",
        "UPSTREAM_RATE_LIMITED",
        "UPSTREAM_QUOTA_EXCEEDED",
        "UPSTREAM_UNAUTHORIZED",
        "UPSTREAM_BAD_RESPONSE",
        "PROVIDER_ERROR",
        "INTERNAL_SERVER_ERROR",
    }
)
"""Every code SCHEMA.md's error table lists."""

VIEWER = """
query Mine {
  viewer {
    userId
    accounts {
      source
      holdings(first: 100) { totalCount edges { node { amount asset { symbol } } } }
      positions(first: 100) { totalCount edges { node { symbol amount } } }
    }
  }
}
"""

PUBLIC = """
query Public($algo: String!, $ada: String!) {
  algo: account(source: ALGORAND, address: $algo) {
    holdings(first: 5) { totalCount edges { node { amount asset { assetId } } } }
  }
  ada: account(source: CARDANO, address: $ada) {
    holdings(first: 5) { totalCount edges { node { amount asset { fingerprint } } } }
  }
}
"""
PUBLIC_VARIABLES = {"algo": algod_data.SMALL, "ada": cardano_data.SMALL}


def calico_token(user: str) -> str:
    return f"sandbox-calico-{user}"


def headers_of(user: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {GraphClient.token(user)}",
        "X-Calico-Token": calico_token(user),
    }


def calico_expected(user: str) -> list[tuple[str, Decimal]]:
    """(symbol, amount) of the user's Calico holdings, sorted."""
    return sorted((a.asset_symbol, a.asset_holdings) for a in calico_data.assets_of(user))


def mesh_expected(user: str) -> list[Decimal]:
    """Amounts of the user's Mesh positions, sorted."""
    portfolio = mesh_data.portfolio_of(user)
    assert portfolio is not None
    lists = ("equityPositions", "cryptocurrencyPositions", "nftPositions")
    return sorted(Decimal(str(p["amount"])) for name in lists for p in portfolio[name] or ())


def check_viewer(user: str, data: dict[str, Any]) -> list[str]:
    """Every way `data` (a VIEWER response's data) is not exactly `user`'s own; [] if it is.

    Accounts whose field failed (null, with an error) are skipped: what is there must be theirs.
    """
    problems: list[str] = []
    viewer = data.get("viewer")
    if viewer is None:
        return problems
    if viewer["userId"] != user:
        problems.append(f"{user} saw the viewer of {viewer['userId']}")
    for account in viewer["accounts"] or ():
        if account is None:
            continue
        holdings = account.get("holdings")
        if account["source"] == "CALICO" and holdings is not None:
            seen = sorted(
                (edge["node"]["asset"]["symbol"], Decimal(edge["node"]["amount"]))
                for edge in holdings["edges"]
            )
            if seen != calico_expected(user):
                problems.append(f"{user}'s Calico holdings are {seen}")
        positions = account.get("positions")
        if account["source"] == "MESH" and positions is not None:
            amounts = sorted(Decimal(edge["node"]["amount"]) for edge in positions["edges"])
            if amounts != mesh_expected(user):
                problems.append(f"{user}'s Mesh positions are {amounts}")
    # No other generated user's unique Calico symbol anywhere in the answer.
    own = f"U{USERS.index(user) + 1:02d}"
    foreign = set(re.findall(r'"(U\d\d)"', json.dumps(data))) - {own}
    if foreign:
        problems.append(f"{user} saw symbols of others: {sorted(foreign)}")
    return problems


@dataclass(frozen=True, slots=True)
class Answer:
    """One request's outcome as the client saw it."""

    kind: str
    user: str | None
    status: int
    body: Any
    seconds: float


Request = Callable[[], Awaitable[Answer]]


async def post(
    http: aiohttp.ClientSession,
    url: str,
    kind: str,
    query: str,
    variables: dict[str, Any] | None = None,
    user: str | None = None,
) -> Answer:
    started = time.perf_counter()
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    headers = headers_of(user) if user is not None else {}
    async with http.post(url, json=payload, headers=headers) as response:
        text = await response.text()
        status = response.status
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    return Answer(kind, user, status, body, time.perf_counter() - started)


async def run_bounded(requests: Sequence[Request], concurrency: int) -> list[Answer]:
    """Every request, at most `concurrency` at once, in order of completion."""
    queue = list(reversed(requests))
    answers: list[Answer] = []

    async def worker() -> None:
        while queue:
            answers.append(await queue.pop()())

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return answers
