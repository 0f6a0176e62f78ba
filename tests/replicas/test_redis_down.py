"""A server whose Redis is unreachable still answers: its rate budget falls back to the local
bucket (docs/caching.md, "Several workers and replicas") instead of failing requests."""

from __future__ import annotations

import aiohttp

from sources.cardanobi.sandbox_data import SMALL
from tests.harness import Sandboxes, serve_graph

QUERY = """query ($address: String!) {
  account(source: CARDANO, address: $address) { holdings(first: 10) { nodes { amount } } }
}"""


async def test_cardano_reads_are_answered_while_redis_is_down(
    clean: Sandboxes, http: aiohttp.ClientSession, unused_tcp_port: int
) -> None:
    settings = clean.settings(
        redis_url=f"redis://127.0.0.1:{unused_tcp_port}/0", cardanobi_rate_per_second=50
    )
    async with serve_graph(settings, http) as graph:
        data = await graph.data(QUERY, {"address": SMALL})
    # SMALL holds 5 tokens (sources/cardanobi/sandbox_data.py), and the page starts with ADA.
    assert len(data["account"]["holdings"]["nodes"]) == 6
    assert await clean.cardanobi.count("GET /api/core/accounts/{stake_address}/assets") == 1
