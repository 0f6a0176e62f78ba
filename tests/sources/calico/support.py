"""Helpers the Calico tests share: the reference tokens, the sandbox control API, a scripted
stand-in for Calico, and the records the reference data should become.

Everything here speaks real HTTP to a server on loopback; nothing is patched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from sources.calico.records import AssetPosition
from sources.calico.sandbox_data import AssetData
from sources.http import HttpUpstream, Timeouts
from sources.sandboxing import RunningSandbox, Sandbox, dumps_exact, start_sandbox
from sources.source import Source
from tests.sandbox_control import SandboxControl
from tests.sources.building import upstream_of

__all__ = [
    "ALICE",
    "BOB",
    "ScriptedCalico",
    "expected_position",
    "reset",
    "served",
    "set_faults",
    "stats",
]

ALICE = "sandbox-calico-alice"
BOB = "sandbox-calico-bob"


@asynccontextmanager
async def _control(http: HttpUpstream) -> AsyncIterator[SandboxControl]:
    """The control API of the sandbox `http` points at."""
    async with aiohttp.ClientSession() as session:
        yield SandboxControl(session, http.base_url)


async def reset(http: HttpUpstream) -> None:
    async with _control(http) as control:
        await control.reset()


async def set_faults(http: HttpUpstream, **faults: Any) -> None:
    async with _control(http) as control:
        await control.faults(**faults)


async def stats(http: HttpUpstream) -> dict[str, Any]:
    async with _control(http) as control:
        return await control.stats()


@asynccontextmanager
async def served(
    sandbox: Sandbox, *, timeouts: Timeouts | None = None
) -> AsyncIterator[tuple[RunningSandbox, HttpUpstream]]:
    """`sandbox` on a free loopback port, with an `HttpUpstream` pointed at it."""
    running = await start_sandbox(sandbox)
    http = upstream_of(Source.CALICO, running.url, timeouts=timeouts)
    await http.start()
    try:
        yield running, http
    finally:
        await http.close()
        await running.close()


@dataclass
class Seen:
    """One request the scripted server received."""

    method: str
    path: str
    query: dict[str, str]
    authorization: str | None


@dataclass
class ScriptedCalico(Sandbox):
    """Answers every request with `body` (JSON, or raw text if a `str`) and `status`, and
    records what it was asked: for answers the real sandbox never gives."""

    body: Any = field(default_factory=dict)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    source = Source.CALICO

    def routes(self) -> Iterable[web.RouteDef]:
        return [web.route("*", "/{tail:.*}", self._serve)]

    async def _serve(self, request: web.Request) -> web.Response:
        self.seen.append(
            Seen(
                request.method,
                request.path,
                dict(request.query),
                request.headers.get("Authorization"),
            )
        )
        text = self.body if isinstance(self.body, str) else dumps_exact(self.body)
        return web.Response(
            text=text, status=self.status, headers=self.headers, content_type="application/json"
        )


def expected_position(data: AssetData) -> AssetPosition:
    """The record a position of the reference data must become."""
    return AssetPosition(
        asset_symbol=data.asset_symbol,
        asset_holdings=data.asset_holdings,
        staked_holdings=data.staked_holdings,
        time_fetched=data.time_fetched,
        provider_id=data.provider_id,
        price_in_usd=data.price_in_usd,
        wallet_address_redacted=data.wallet_address_redacted,
        chain=data.chain,
    )
