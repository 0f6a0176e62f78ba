"""What every hostile case checks: the refusal, no upstream call, a quick check, and a normal
request answered while the hostile one is in the server.

The server under test runs in the test's event loop, so a client in that loop could not see it
block (its own timers would wait too). `Bystander` is a real client in a thread of its own: it
asks `/healthz` and a small query again and again, and times each answer by the wall clock.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from resolvers.options import GraphOptions
from server import graph_options
from settings import Settings
from tests.graph.support import codes
from tests.harness import GraphClient, Sandboxes

__all__ = ["Attack", "Bystander", "attack", "default_options", "refused_by"]


def default_options() -> GraphOptions:
    """A server's options with nothing configured: its limits and its sources' figures."""
    return graph_options(Settings(_env_file=None))  # type: ignore[call-arg]


NORMAL = json.dumps({"query": "{ providers(first: 1) { totalCount } }"}).encode()
#: The check takes about 0.1 s on a loaded machine; before, each case took from 6 s to minutes.
QUICK_SECONDS = 2.0
#: What a bystander may wait, at most, while the hostile request is in the server (before: from
#: 17 s to 107 s for /healthz).
BYSTANDER_SECONDS = 5.0


@dataclass
class Bystander:
    """A client in a thread: `/healthz` and a normal query, in turn, until stopped."""

    graph_url: str
    answers: list[tuple[float, float, str]] = field(default_factory=list)
    """(when it was asked, how long the answer took, which probe)."""
    _stop: threading.Event = field(default_factory=threading.Event)
    #: What stopped it, when something did (raised again in the test).
    error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as error:  # handed to the test's thread
            self.error = error

    def _run(self) -> None:
        health = self.graph_url.rsplit("/", 1)[0] + "/healthz"
        for _ in range(10_000):  # bounded, like every load loop
            if self._stop.is_set():
                return
            self._ask("healthz", urllib.request.Request(health))
            request = urllib.request.Request(
                self.graph_url, data=NORMAL, headers={"content-type": "application/json"}
            )
            self._ask("normal", request)
            time.sleep(0.02)

    def _ask(self, probe: str, request: urllib.request.Request) -> None:
        asked = time.monotonic()
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        if probe == "normal":
            assert json.loads(body)["data"]["providers"]["totalCount"] > 0, body
        self.answers.append((asked, time.monotonic() - asked, probe))

    def answered_since(self, moment: float, probe: str) -> list[float]:
        return [took for asked, took, name in self.answers if name == probe and asked >= moment]

    def wait_for(self, moment: float, timeout: float = 30.0) -> None:
        """Until a normal query asked after `moment` is answered."""
        deadline = time.monotonic() + timeout
        while (
            not self.answered_since(moment, "normal")
            and self.error is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.01)


@dataclass(frozen=True)
class Attack:
    body: dict[str, Any]
    seconds: float
    #: How long each probe asked while the hostile request was in the server took.
    healthz: list[float]
    normal: list[float]

    @property
    def message(self) -> str:
        message: str = self.body["errors"][0]["message"]
        return message


@asynccontextmanager
async def _bystander(graph: GraphClient) -> AsyncIterator[Bystander]:
    bystander = Bystander(graph.url)
    thread = threading.Thread(target=bystander.run, daemon=True)
    thread.start()
    try:
        yield bystander
    finally:
        bystander._stop.set()
        # Joined from another thread: this one runs the server the bystander may be asking.
        await asyncio.to_thread(thread.join, 60)
    if bystander.error is not None:
        raise AssertionError("the bystander's request failed") from bystander.error


async def attack(
    graph: GraphClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    **headers: str,
) -> Attack:
    """Send the hostile request while a bystander keeps asking; return what both saw."""
    async with _bystander(graph) as bystander:
        await asyncio.to_thread(bystander.wait_for, 0.0)  # the bystander is up
        started = time.monotonic()
        status, body = await graph.post(query, variables, headers=headers or None)
        seconds = time.monotonic() - started
        # Probes asked while the request was in the server, and one asked after it started.
        await asyncio.to_thread(bystander.wait_for, started)
    assert status == 200, body
    return Attack(
        body=body,
        seconds=seconds,
        healthz=bystander.answered_since(started, "healthz"),
        normal=bystander.answered_since(started, "normal"),
    )


async def refused_by(
    outcome: Attack, code: str, sandboxes: Sandboxes, *, quick: float = QUICK_SECONDS
) -> str:
    """The assertions every hostile case makes; the refusal's message."""
    assert codes(outcome.body) == [code], outcome.body
    assert [await s.total() for s in sandboxes.all()] == [0, 0, 0, 0]
    assert outcome.seconds < quick, f"the check took {outcome.seconds:.2f} s"
    assert outcome.normal, "no normal request was answered meanwhile"
    assert max(outcome.normal + outcome.healthz) < BYSTANDER_SECONDS, outcome
    return outcome.message
