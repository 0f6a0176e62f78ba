"""What the live tests share: the operations, the accounts, and reading the server's metrics."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from sources.algod.sandbox_data import WHALE
from tests.harness import GraphClient

__all__ = [
    "HOLDINGS",
    "PORTFOLIO",
    "SMALL",
    "WHALE",
    "holdings_of",
    "metric",
    "socket_queues",
    "until",
]

SMALL = "5N6DTPMFHCXDOULRO3GLSAE65HR3BD5D2XYR3UU6RVUYJGZJRDCFI2TMTQ"

HOLDINGS = """subscription Holdings($account: AccountRef!) {
  holdingsChanged(account: $account) {
    initial round readAt holdingsCount complete
    account { source address }
    added { id amount rawAmount asset { symbol caip19 } }
    removed { id amount }
    changed { holding { id } previousAmount amount previousRawAmount rawAmount }
    errors { source code message }
  }
}"""

PORTFOLIO = """subscription Portfolio($accounts: [AccountRef!], $viewer: Boolean) {
  portfolioChanged(accounts: $accounts, includeViewer: $viewer) {
    initial readAt totalValueUsd
    bySource { source valueUsd holdingsCount complete }
    moved { key previous { amount valueUsd } current { amount valueUsd
      holdings { holding { account { source address } } } } }
    errors { source code provider }
    portfolio { holdingsCount accounts { source address } }
  }
}"""


def holdings_of(source: str, address: str) -> dict[str, Any]:
    return {"account": {"source": source, "address": address}}


async def metric(
    http: aiohttp.ClientSession, graph: GraphClient, name: str, **labels: str
) -> float:
    """The sum of a metric's samples whose labels include `labels`."""
    url = graph.url.rsplit("/", 1)[0] + "/metrics"
    async with http.get(url) as response:
        text = await response.text()
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        sample, value = line.rsplit(" ", 1)
        head = sample.split("{", 1)[0]
        if head != name:
            continue
        if all(f'{key}="{val}"' in sample for key, val in labels.items()):
            total += float(value)
    return total


async def until(check: Any, within: float = 30.0, step: float = 0.05) -> None:
    """Wait until `await check()` is true (a bounded wait: fails after `within` seconds)."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 (the check asks the server over HTTP)
            await asyncio.sleep(step)


def socket_queues(local_port: int, remote_port: int) -> tuple[int, int] | None:
    """The bytes a loopback TCP socket holds in the kernel: (sent but not yet taken by the
    peer, received but not yet read), from Linux's /proc/net/tcp; None if it is not open."""
    want = (f"0100007F:{local_port:04X}", f"0100007F:{remote_port:04X}")
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if (fields[1], fields[2]) == want:
                sent, received = fields[4].split(":")
                return int(sent, 16), int(received, 16)
    return None
