"""Both executors over one set of services pointed at the session's sandboxes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from server import open_services
from telemetry.metrics import Metrics
from tests.differential.runner import Differential
from tests.harness import Sandboxes


@pytest_asyncio.fixture(scope="session")
async def differential(sandboxes: Sandboxes) -> AsyncIterator[Differential]:
    async with open_services(sandboxes.settings(), Metrics()) as services:
        yield Differential(services, sandboxes)
