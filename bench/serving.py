"""The processes every benchmark configuration starts: the sandboxes and the graph itself."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from bench.processes import ROOT, Process, free_port, start, wait_http

__all__ = ["CALICO_TOKEN", "JWT_SECRET", "graph_server", "sandboxes", "upstream_total"]

JWT_SECRET = "bench-only-jwt-secret-0123456789abcdef0123456789"
_CURSOR_SECRET = "bench-only-cursor-secret-0123456789abcdef0123"
CALICO_TOKEN = "sandbox-calico-alice"
_UPSTREAM_URLS = ("ALGOD_URL", "CARDANOBI_URL", "CALICO_URL", "MESH_URL")


@contextmanager
def sandboxes(latency_ms: int, cold_accounts: int = 0) -> Iterator[tuple[Process, dict[str, str]]]:
    """The four sandboxes in their own process, and the settings that point a server at them."""
    arguments = ["-m", "bench.sandboxes", "--latency-ms", str(latency_ms)]
    if cold_accounts:
        arguments += ["--cold-accounts", str(cold_accounts)]
    process = start("sandboxes", arguments, {})
    try:
        settings: dict[str, str] = {}
        assert process.popen.stdout is not None
        for line in process.popen.stdout:
            line = line.strip()
            if line == "READY":
                break
            if "=" in line:
                key, value = line.split("=", 1)
                settings[key] = value
        else:
            raise RuntimeError("the sandboxes stopped before they were ready")
        yield process, settings
    finally:
        process.stop()


@contextmanager
def graph_server(
    upstreams: Mapping[str, str],
    cardanobi_rate: float,
    workers: int = 1,
    cache_ttl: float = 0.0,
    settings: Mapping[str, str] | None = None,
    checkout: Path = ROOT,
) -> Iterator[tuple[Process, str]]:
    """`python server.py` of `checkout` over the sandboxes, with `settings` over the bench's
    own (e.g. `COMPILED_EXECUTION=false`); yields the process and its GraphQL URL."""
    port = free_port()
    env = {
        "WORKERS": str(workers),
        # The shared cache of public reads is off unless a row says otherwise: the scenarios
        # measure the server doing its upstream reads, at their theoretical minimum.
        "PUBLIC_CACHE_TTL_SECONDS": str(cache_ttl),
        **upstreams,
        "JWT_SECRET": JWT_SECRET,
        "CURSOR_SECRET": _CURSOR_SECRET,
        "LOG_LEVEL": "warning",
        # The sandbox has no plan limit; a real plan's rate (1 to 20/s) bounds what reads
        # CardanoBI, whatever the server does, so the bench measures the server itself.
        "CARDANOBI_RATE_PER_SECOND": str(cardanobi_rate),
        # Likewise algod's calls at once: the default (8) is for Nodely's free tier, which the
        # bench's sandbox does not play; the bench keeps the figure its results were taken at.
        "ALGOD_MAX_CONCURRENCY": "32",
        # One load generator on one address is one caller: its per-caller budget would
        # measure the limit, not the server.
        "CALLER_RATE_PER_SECOND": "0",
        **(settings or {}),
        "PORT": str(port),
    }
    process = start("server", ["server.py"], env, cwd=checkout)
    try:
        # Generous: workers start one after another, slowly on a loaded machine.
        wait_http(
            f"http://127.0.0.1:{port}/graphql?query=%7B__typename%7D", seconds=120, process=process
        )
        yield process, f"http://127.0.0.1:{port}/graphql"
    finally:
        process.stop()


def upstream_total(upstreams: Mapping[str, str]) -> int:
    """Requests the four sandboxes have served since they started (or were reset)."""
    total = 0
    for key in _UPSTREAM_URLS:
        with urllib.request.urlopen(upstreams[key] + "/_sandbox/stats", timeout=5) as answer:
            total += int(json.loads(answer.read())["total"])
    return total
