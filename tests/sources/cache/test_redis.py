"""The Redis cache keeps an answer with its read time for its TTL; a Redis it cannot reach is a
miss, never an error, and is logged once in a while, without its URL."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from sources.cache.protocol import CachedAnswer
from sources.cache.redis import RedisCache
from tests.redis_server import start_redis
from tests.sources.resilience.clock import ManualClock

READ_AT = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
ANSWER = CachedAnswer(200, b'{"amount": 12345678901234567890, "x": "\\n"}\n', READ_AT)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_an_answer_comes_back_whole_with_its_read_time(tmp_path: Path) -> None:
    async with start_redis(tmp_path) as server:
        cache = RedisCache.from_url(server.url)
        try:
            await cache.set("holdings:v1:k", ANSWER, 60)
            found = await cache.get("holdings:v1:k")
            assert found is not None
            assert dataclasses.replace(found, expires_in=None) == ANSWER
            # With how long Redis keeps it still (its PTTL), which a parsed copy may not outlive.
            assert found.expires_in is not None and 55 < found.expires_in <= 60
            assert await cache.get("holdings:v1:other") is None
        finally:
            await cache.close()


async def test_a_deleted_answer_is_gone(tmp_path: Path) -> None:
    async with start_redis(tmp_path) as server:
        cache = RedisCache.from_url(server.url)
        try:
            await cache.set("holdings:v1:k", ANSWER, 60)
            await cache.delete("holdings:v1:k")
            assert await cache.get("holdings:v1:k") is None
        finally:
            await cache.close()


async def test_an_answer_expires_with_its_ttl_in_redis(tmp_path: Path) -> None:
    async with start_redis(tmp_path) as server:
        cache = RedisCache.from_url(server.url)
        raw = aioredis.from_url(server.url)
        try:
            await cache.set("holdings:v1:k", ANSWER, 0.2)
            ttl_ms = await raw.pttl("holdings:v1:k")
            assert 0 < ttl_ms <= 200
            await asyncio.sleep(0.4)
            assert await cache.get("holdings:v1:k") is None
        finally:
            await cache.close()
            await raw.aclose()


async def test_a_value_it_did_not_write_is_a_miss(tmp_path: Path) -> None:
    async with start_redis(tmp_path) as server:
        cache = RedisCache.from_url(server.url)
        raw = aioredis.from_url(server.url)
        try:
            await raw.set("holdings:v1:k", b"something else")
            assert await cache.get("holdings:v1:k") is None
        finally:
            await cache.close()
            await raw.aclose()


async def test_an_unreachable_redis_is_a_miss_and_a_dropped_write(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"redis://:hunter2-password@127.0.0.1:{closed_port()}/0"
    clock = ManualClock()
    cache = RedisCache(aioredis.Redis.from_url(url), log_every_seconds=60, clock=clock)
    try:
        with caplog.at_level(logging.WARNING, logger="sources.cache.redis"):
            for _ in range(3):
                assert await cache.get("holdings:v1:k") is None
                await cache.set("holdings:v1:k", ANSWER, 60)
            clock.advance(60)
            assert await cache.get("holdings:v1:k") is None
    finally:
        await cache.close()
    assert cache.failures == 7
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2  # the first failure, and the first one a minute later
    assert all("hunter2" not in message and str(url) not in message for message in messages)
