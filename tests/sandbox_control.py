"""The one client the tests use for a sandbox's `/_sandbox/` control API (`sources/sandboxing.py`).

Tests observe and disturb sandboxes only through this API, as an outside tool would: plain HTTP
over the session's `aiohttp.ClientSession`, never the production `HttpUpstream`, so a change in
how the graph sends requests cannot change what a test sees of a sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

__all__ = ["SandboxControl"]


@dataclass
class SandboxControl:
    """One sandbox, seen from outside: its URL and its control API."""

    http: aiohttp.ClientSession
    url: str

    async def stats(self) -> dict[str, Any]:
        async with self.http.get(f"{self.url}/_sandbox/stats") as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json()
            return body

    async def routes(self, route: str) -> dict[str, int]:
        """Requests served on `route` ("GET /v2/accounts/{address}/assets"), by outcome."""
        outcomes: dict[str, int] = (await self.stats())["routes"].get(route, {})
        return outcomes

    async def count(self, route: str, status: str | None = None) -> int:
        """Requests served on `route`, of one status (all statuses when None)."""
        outcomes = await self.routes(route)
        return sum(n for s, n in outcomes.items() if status is None or s == status)

    async def total(self) -> int:
        return int((await self.stats())["total"])

    async def reset(self) -> None:
        """Zero the counters; restore the start-up faults and settings."""
        await self.control("reset", {})

    async def faults(self, **faults: Any) -> None:
        """Replace the injected faults (the document must be valid)."""
        await self.control("faults", faults)

    async def settings(self, **changes: Any) -> dict[str, Any]:
        """Change some of the sandbox's settings (none: just read them); the new settings."""
        if changes:
            body = await self.control("settings", changes)
        else:
            async with self.http.get(f"{self.url}/_sandbox/settings") as response:
                assert response.status == 200
                body = await response.json()
        settings: dict[str, Any] = body["settings"]
        return settings

    async def change_holdings(self, **change: Any) -> dict[str, Any]:
        """Move the sandbox's data (`POST /_sandbox/holdings`: amounts, opt-ins and opt-outs,
        algod's round; each sandbox's document is in its `*_changes.py`); its answer (algod's
        has the new `round`)."""
        return await self.control("holdings", change)

    async def record_arrivals(self, record: bool = True) -> None:
        """Start (or stop) noting when each upstream request arrives."""
        await self.control("arrivals", {"record": record})

    async def arrivals(self, route: str | None = None) -> list[float]:
        """Arrival times (seconds, the sandbox's monotonic clock) since recording began."""
        async with self.http.get(f"{self.url}/_sandbox/arrivals") as response:
            assert response.status == 200
            body = await response.json()
        return [a["at"] for a in body["arrivals"] if route is None or a["route"] == route]

    async def control(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST `body` to `/_sandbox/<path>`, which must accept it; its answer."""
        status, answer = await self.try_control(path, body)
        assert status == 200, answer
        return answer

    async def try_control(self, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        """POST `body` to `/_sandbox/<path>`: the status and answer, whatever they are."""
        async with self.http.post(f"{self.url}/_sandbox/{path}", json=body) as response:
            answer: dict[str, Any] = await response.json()
            return response.status, answer
