"""The sandbox kit's opt-in arrival record (`/_sandbox/arrivals`), which the replica tests read
to check an upstream's rate from the outside: off until asked, one entry per upstream request in
arrival order, control requests left out, off again after a reset."""

from __future__ import annotations

import aiohttp

from sources.algod.sandbox_data import WHALE
from tests.harness import Sandboxes

ROUTE = "GET /v2/accounts/{address}"


async def _status(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as response:
        await response.read()
        return response.status


async def test_arrivals_are_not_recorded_until_asked(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await _status(http, f"{clean.algod.url}/v2/accounts/{WHALE}")
    assert await clean.algod.arrivals() == []


async def test_each_upstream_request_is_recorded_in_arrival_order(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await clean.algod.record_arrivals()
    for _ in range(3):
        await _status(http, f"{clean.algod.url}/v2/accounts/{WHALE}")
    await clean.algod.stats()  # a control request: not an arrival
    arrivals = await clean.algod.arrivals()
    assert len(arrivals) == 3 and arrivals == sorted(arrivals)
    assert await clean.algod.arrivals(ROUTE) == arrivals


async def test_a_reset_stops_recording_and_forgets(
    clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await clean.algod.record_arrivals()
    await _status(http, f"{clean.algod.url}/v2/accounts/{WHALE}")
    await clean.algod.reset()
    await _status(http, f"{clean.algod.url}/v2/accounts/{WHALE}")
    assert await clean.algod.arrivals() == []


async def test_a_recording_request_without_a_boolean_is_refused(clean: Sandboxes) -> None:
    status, answer = await clean.algod.try_control("arrivals", {"record": 1})
    assert status == 400
    assert "record" in answer["error"]
