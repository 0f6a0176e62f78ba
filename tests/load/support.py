"""What the load tests share: the generated users, the queries they send, what each user must see
(derived from the sandboxes' data modules), and a bounded concurrent runner."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
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


def check_viewer(user: str, body: dict[str, Any]) -> list[str]:
    """Every way a VIEWER response `body` is not exactly `user`'s own data; [] if it is.

    A field that failed may come back empty or partial (with its error): what it holds must
    still be the user's own, so it is checked as a part of the expected list, not all of it.
    """
    problems: list[str] = []
    data = body.get("data") or {}
    viewer = data.get("viewer")
    if viewer is None:
        return problems
    failed = {tuple(error.get("path") or ()) for error in body.get("errors", ())}
    if viewer["userId"] != user:
        problems.append(f"{user} saw the viewer of {viewer['userId']}")
    for index, account in enumerate(viewer["accounts"] or ()):
        if account is None:
            continue
        whole = {
            field: ("viewer", "accounts", index, field) not in failed
            for field in ("holdings", "positions")
        }
        holdings = account.get("holdings")
        if account["source"] == "CALICO" and holdings is not None:
            seen = sorted(
                (edge["node"]["asset"]["symbol"], Decimal(edge["node"]["amount"]))
                for edge in holdings["edges"]
            )
            if not _fits(seen, calico_expected(user), whole["holdings"]):
                problems.append(f"{user}'s Calico holdings are {seen}")
        positions = account.get("positions")
        if account["source"] == "MESH" and positions is not None:
            amounts = sorted(Decimal(edge["node"]["amount"]) for edge in positions["edges"])
            if not _fits(amounts, mesh_expected(user), whole["positions"]):
                problems.append(f"{user}'s Mesh positions are {amounts}")
    # No other generated user's unique Calico symbol anywhere in the answer.
    own = f"U{USERS.index(user) + 1:02d}"
    foreign = set(re.findall(r'"(U\d\d)"', json.dumps(data))) - {own}
    if foreign:
        problems.append(f"{user} saw symbols of others: {sorted(foreign)}")
    return problems


def _fits(seen: list[Any], expected: list[Any], whole: bool) -> bool:
    """`seen` is `expected` (whole), or a part of it (a field that reported an error)."""
    if whole:
        return seen == expected
    return not Counter(seen) - Counter(expected)


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
