"""One real redis-server for the replica tests (`tests/redis_server.py`), on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.redis_server import RedisServer, start_redis


@pytest_asyncio.fixture(scope="module")
async def redis_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RedisServer]:
    async with start_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server
