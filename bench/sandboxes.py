"""The four sandboxes in a process of their own, with a fixed latency, for benchmarks.

    python -m bench.sandboxes [--latency-ms 50] [--cold-accounts 100]

`--cold-accounts N` adds the first N of `bench.cold_accounts` to the algod sandbox (100 holdings
each, for S1 over distinct accounts); without it the sandboxes serve their default data.

Prints the `KEY=VALUE` settings that point a server at them (like `python server.py sandbox`),
then `READY`, and serves until SIGTERM or SIGINT. A process of its own so that the sandboxes'
CPU is not counted against the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from bench.cold_accounts import ColdAlgodSandbox
from server import sandbox_settings
from sources.algod.sandbox import AlgodSandbox, AlgodSettings
from sources.calico.sandbox import CalicoSandbox
from sources.cardanobi.sandbox import CardanoBISandbox, CardanoBISettings
from sources.mesh.sandbox import MeshSandbox
from sources.sandboxing import Faults, RunningSandbox, Sandbox, start_sandbox

__all__ = ["main"]


async def _serve(latency_ms: int, cold_accounts: int) -> None:
    # The benchmarks measure the server, not the free plans: no CardanoBI plan rate, no algod
    # concurrency cap, and CardanoBI's OData paging on, so the collector's 250 tokens are read.
    headroom = AlgodSettings(max_concurrency=None)
    sandboxes: dict[str, Sandbox] = {
        "algod": ColdAlgodSandbox(accounts=cold_accounts, settings=headroom)
        if cold_accounts
        else AlgodSandbox(settings=headroom),
        "cardanobi": CardanoBISandbox(settings=CardanoBISettings(plan="unlimited", odata=True)),
        "calico": CalicoSandbox(),
        "mesh": MeshSandbox(),
    }
    faults = Faults(latency_ms=(latency_ms, latency_ms)) if latency_ms else None
    running: list[RunningSandbox] = []
    try:
        urls: dict[str, str] = {}
        for name, sandbox in sandboxes.items():
            started = await start_sandbox(sandbox, faults=faults)
            running.append(started)
            urls[name] = started.url
        for key, value in sandbox_settings(urls).items():
            print(f"{key}={value}", flush=True)
        print("READY", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        for served in running:
            await served.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sandboxes")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every request")
    parser.add_argument(
        "--cold-accounts", type=int, default=0, help="distinct algod accounts added for S1 cold"
    )
    arguments = parser.parse_args()
    asyncio.run(_serve(arguments.latency_ms, arguments.cold_accounts))


if __name__ == "__main__":
    main()
