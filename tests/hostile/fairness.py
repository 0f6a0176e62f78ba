"""Finding 2's scene: one caller's burst of shared CardanoBI reads, and a normal user beside it.

The hostile request is ten aliases of `accounts(refs: 100 stake addresses)` with
`holdings(first: 1)`: 2,000 CardanoBI reads (each account's balance and first page), all public
and so all shared calls (single flights). The normal user reads one other account (two calls)
while the hostile request is in the server, and again once it has ended. The caller is told apart
by the client address (the hostile one from 127.0.0.1, the normal one from 127.0.0.2) or by the
bearer token's user.

CardanoBI's sandbox plays a paid plan's gateway limit here (`PLAN`, nginx's `limit_req`), not the
session's headroom: the server's own rate must keep the whole burst within it, so the scene counts
the 429s the gateway answered too.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes

__all__ = ["HOSTILE_CALLS", "NORMAL", "PLAN", "Scene", "client_at", "hostile", "play"]

ALIASES = 10
REFS = 100
HOSTILE_CALLS = ALIASES * REFS * 2
"""Each account's balance and its first page of tokens."""
PLAN = "dapp"
"""CardanoBI's plan in the scene: 10 requests a second, a burst of 10 (`sandbox_gateway.PLANS`),
twice the server's rate in the tests, so that no call the server lets through is refused."""

NORMAL = """query($a: String!) { account(source: CARDANO, address: $a) {
  holdings(first: 1) { nodes { amount } } } }"""


def _stake(label: str) -> str:
    digest = hashlib.sha256(label.encode()).digest()[:28]
    return stake_address(digest, CARDANO_NETWORKS["mainnet"])


def hostile() -> tuple[str, dict[str, Any]]:
    """The hostile document and its variables: 1,000 distinct stake addresses."""
    names = [f"$r{i}" for i in range(ALIASES)]
    head = ", ".join(f"{name}: [AccountRef!]!" for name in names)
    fields = " ".join(
        f"a{i}: accounts(refs: {name}) {{ holdings(first: 1) {{ nodes {{ amount }} }} }}"
        for i, name in enumerate(names)
    )
    variables = {
        f"r{i}": [{"source": "CARDANO", "address": _stake(f"hostile/{i}/{j}")} for j in range(REFS)]
        for i in range(ALIASES)
    }
    return f"query({head}) {{ {fields} }}", variables


@asynccontextmanager
async def client_at(graph: GraphClient, address: str) -> AsyncIterator[GraphClient]:
    """A client of the same server whose connections come from `address` (127.0.0.x)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(connector=connector) as http:
        yield GraphClient(graph.url, http)


@dataclass
class Read:
    """What the normal user saw for one read."""

    seconds: float
    codes: list[str]
    body: dict[str, Any]


@dataclass
class Scene:
    hostile_seconds: float
    hostile_codes: list[str]
    hostile_body: dict[str, Any]
    #: CardanoBI requests served while the hostile request was in the server, and in the
    #: `settle` seconds after it ended (the normal user's second read included).
    during: int
    after: int
    #: CardanoBI's gateway 429s over the whole scene (its plan's rate passed).
    refused: int
    beside: Read
    later: Read


async def _read(client: GraphClient, headers: dict[str, str]) -> Read:
    started = time.monotonic()
    body = await client.query(NORMAL, {"a": cardano_data.SMALL}, headers=headers)
    return Read(time.monotonic() - started, codes(body), body)


async def play(
    hostile_client: GraphClient,
    normal_client: GraphClient,
    sandboxes: Sandboxes,
    *,
    hostile_headers: dict[str, str] | None = None,
    normal_headers: dict[str, str] | None = None,
    settle: float = 2.0,
) -> Scene:
    """The hostile request; the normal read 0.5 s into it and again once it has ended.
    CardanoBI's sandbox plays `PLAN` meanwhile; its session settings are restored after."""
    await sandboxes.reset()
    await sandboxes.cardanobi.settings(plan=PLAN)
    try:
        return await _play(
            hostile_client,
            normal_client,
            sandboxes,
            hostile_headers=hostile_headers,
            normal_headers=normal_headers,
            settle=settle,
        )
    finally:
        await sandboxes.cardanobi.reset()


async def _play(
    hostile_client: GraphClient,
    normal_client: GraphClient,
    sandboxes: Sandboxes,
    *,
    hostile_headers: dict[str, str] | None,
    normal_headers: dict[str, str] | None,
    settle: float,
) -> Scene:
    query, variables = hostile()
    started = time.monotonic()
    attack = asyncio.create_task(hostile_client.post(query, variables, headers=hostile_headers))
    await asyncio.sleep(0.5)
    beside = await _read(normal_client, normal_headers or {})
    status, body = await attack
    hostile_seconds = time.monotonic() - started
    assert status == 200, body
    during = await sandboxes.cardanobi.total()
    later = await _read(normal_client, normal_headers or {})
    await asyncio.sleep(max(0.0, settle - later.seconds))
    after = await sandboxes.cardanobi.total() - during
    routes = (await sandboxes.cardanobi.stats())["routes"]
    refused = sum(outcomes.get("429", 0) for outcomes in routes.values())
    return Scene(hostile_seconds, codes(body), body, during, after, refused, beside, later)
