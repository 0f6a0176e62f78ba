"""Server CPU per request, for builds compared side by side in one sitting.

    python -m bench.cpu [--scenario S1] [--requests 1000] [--concurrency 20] [--rounds 3]
                        --server NAME=CHECKOUT[:KEY=VALUE...] ... [--profile]

One set of sandboxes at 0 ms (a process of its own), then one server per `--server` (`python
server.py` in that checkout, one worker, its settings plus the `KEY=VALUE`s given, e.g.
`plan=.` and `standard=.:COMPILED_EXECUTION=false`, or another worktree for "before"). Rounds
go round the servers in turn, so a busy machine slows each build alike; each round runs
`--requests` operations of the scenario and reads the server process's user + system CPU from
`/proc` before and after. Prints every round and the medians. With `--profile`, py-spy (from
this interpreter's environment: `pip install py-spy`) then records each server over one more
round, in its raw format, to `test-output/profile-<scenario>-<name>.txt`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import Operation, run_load
from bench.processes import ROOT, Process, cpu_seconds
from bench.run import _headers
from bench.scenarios import SCENARIOS
from bench.serving import graph_server, sandboxes

__all__ = ["main"]

_CARDANOBI_RATE = 1000.0
"""As `bench.run` serves the graph: CardanoBI's rate out of the way (no plan limit here)."""


@dataclass
class Server:
    name: str
    process: Process
    url: str
    rounds: list[tuple[float, float]] = field(default_factory=list)
    """(CPU ms per operation, operations per second) of each round."""


def _parse_server(text: str) -> tuple[str, Path, dict[str, str]]:
    name, _, rest = text.partition("=")
    checkout, *pairs = rest.split(":")
    settings = dict(pair.split("=", 1) for pair in pairs)
    return name, (ROOT / checkout).resolve(), settings


def _round(server: Server, operation: Operation, requests: int, concurrency: int) -> str:
    before = cpu_seconds(server.process.popen.pid)
    result = asyncio.run(run_load(operation, total=requests, concurrency=concurrency))
    milliseconds = (cpu_seconds(server.process.popen.pid) - before) / requests * 1000
    server.rounds.append((milliseconds, result.per_second))
    return (
        f"{server.name}: {milliseconds:.2f} ms CPU per operation, {result.per_second:.1f}/s, "
        f"p50 {result.percentile(0.5):.1f} ms, p99 {result.percentile(0.99):.1f} ms, "
        f"{result.failures} failed"
    )


def _profile(server: Server, operation: Operation, scenario: str, requests: int) -> Path:
    out = ROOT / "test-output" / f"profile-{scenario}-{server.name}.txt"
    out.parent.mkdir(exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    pid = str(server.process.popen.pid)
    command = [str(spy), "record", "-p", pid, "-f", "raw", "-o", str(out), "-r", "250"]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # py-spy attaches
    asyncio.run(run_load(operation, total=requests, concurrency=20))
    recorder.send_signal(2)  # SIGINT: py-spy writes what it sampled
    recorder.wait(timeout=60)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu", description=__doc__)
    parser.add_argument("--scenario", default="S1", choices=[s.key for s in SCENARIOS])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", action="append", required=True, help="NAME=CHECKOUT[:K=V]")
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()
    scenario = next(s for s in SCENARIOS if s.key == arguments.scenario)
    with ExitStack() as stack:
        _, upstreams = stack.enter_context(sandboxes(0))
        servers: list[Server] = []
        for text in arguments.server:
            name, checkout, settings = _parse_server(text)
            process, url = stack.enter_context(
                graph_server(upstreams, _CARDANOBI_RATE, settings=settings, checkout=checkout)
            )
            servers.append(Server(name, process, url))
        operations = {s.name: scenario.operation(s.url, _headers(scenario)) for s in servers}
        for server in servers:  # warm: plans compiled, connections open
            asyncio.run(
                run_load(operations[server.name], total=100, concurrency=arguments.concurrency)
            )
        for number in range(arguments.rounds):
            for server in servers:
                line = _round(
                    server, operations[server.name], arguments.requests, arguments.concurrency
                )
                print(f"round {number + 1} {line}", flush=True)
        for server in servers:
            cpu = statistics.median(r[0] for r in server.rounds)
            rate = statistics.median(r[1] for r in server.rounds)
            print(
                f"{scenario.key} {server.name}: median {cpu:.2f} ms CPU per operation, "
                f"{rate:.1f}/s over {arguments.rounds} rounds",
                flush=True,
            )
        if arguments.profile:
            for server in servers:
                out = _profile(server, operations[server.name], scenario.key, arguments.requests)
                print(f"profile of {server.name}: {out}", flush=True)


if __name__ == "__main__":
    main()
