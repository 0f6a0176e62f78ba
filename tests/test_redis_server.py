"""The test harness's redis-server starts, answers, and stores nothing on disk."""

from __future__ import annotations

from pathlib import Path

import redis.asyncio as redis

from tests.redis_server import start_redis


async def test_a_redis_server_starts_on_loopback_and_answers(tmp_path: Path) -> None:
    async with start_redis(tmp_path) as server:
        client = redis.from_url(server.url)
        try:
            assert await client.set("key", b"value")
            assert await client.get("key") == b"value"
        finally:
            await client.aclose()
    assert not any(tmp_path.iterdir())  # noqa: ASYNC240 (a tmp dir listing, once)
