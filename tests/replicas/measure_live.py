"""Figures for docs/subscriptions.md: algod requests per poll interval for 1, 50 and 500
subscribers of the whale, on one server process and on two sharing one real Redis (and two
without Redis, for contrast). Bounded: each case runs for `WINDOW` seconds.

    .venv/bin/python -m tests.replicas.measure_live
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
from pathlib import Path

import aiohttp

from sources.algod.sandbox_data import WHALE
from tests.harness import Sandboxes, start_sandboxes
from tests.live.clients import TransportWS
from tests.live.support import holdings_of
from tests.redis_server import start_redis
from tests.replicas.processes import run_server, server_env

INTERVAL = 1.0
WINDOW = 10.0
PER_CONNECTION = 20
QUERY = """subscription($account: AccountRef!) {
  holdingsChanged(account: $account) { initial holdingsCount } }"""


async def _case(
    http: aiohttp.ClientSession,
    sandboxes: Sandboxes,
    redis_url: str | None,
    replicas: int,
    subscribers: int,
) -> dict[str, object]:
    settings = {
        "LIVE_ALGOD_POLL_SECONDS": str(INTERVAL),
        "LIVE_LEASE_SECONDS": "3",
        "PUBLIC_CACHE_TTL_SECONDS": "0",
        "LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION": str(PER_CONNECTION),
    }
    if redis_url:
        settings["REDIS_URL"] = redis_url
    env = server_env(sandboxes, **settings)
    async with contextlib.AsyncExitStack() as stack:
        servers = [await stack.enter_async_context(run_server(http, env)) for _ in range(replicas)]
        # Each server's subscribers on connections of their own, PER_CONNECTION each.
        subscriptions: list[tuple[TransportWS, str]] = []
        for index, server in enumerate(servers):
            client: TransportWS | None = None
            for count, n in enumerate(range(index, subscribers, replicas)):
                if count % PER_CONNECTION == 0:
                    opened = TransportWS.open(http, server.graphql)
                    client = await stack.enter_async_context(opened)
                assert client is not None
                await client.subscribe(str(n), QUERY, holdings_of("ALGORAND", WHALE))
                subscriptions.append((client, str(n)))
        for client, id in subscriptions:
            await client.next(id, within=300)
        await asyncio.sleep(2 * INTERVAL)

        async def polls() -> list[float]:
            return [
                await s.metric(http, "holdings_live_readings_total", source="ALGORAND", role="poll")
                for s in servers
            ]

        before, served_before = await polls(), await sandboxes.algod.total()
        await asyncio.sleep(WINDOW)
        served = await sandboxes.algod.total() - served_before
        made = [after - b for after, b in zip(await polls(), before, strict=True)]
    # A poll cycle: one reading (4 requests for the whale) and the interval after it.
    cycles = max(made)
    return {
        "algod requests per poll cycle": round(served / cycles, 2) if cycles else 0.0,
        "readings in the window, by process": made,
    }


async def main() -> None:
    results = {}
    async with aiohttp.ClientSession() as http, start_sandboxes(http) as sandboxes:
        with tempfile.TemporaryDirectory() as directory:
            async with start_redis(Path(directory)) as redis:
                for subscribers in (1, 50, 500):
                    for replicas, url in ((1, None), (2, redis.url), (2, None)):
                        name = f"{subscribers} subscribers, {replicas} process(es)" + (
                            ", Redis" if url else ""
                        )
                        results[name] = await _case(http, sandboxes, url, replicas, subscribers)
                        print(name, results[name], flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
