"""The Node.js tools the ecosystem tests drive: where they live and how a test runs them.

`tests/ecosystem/node/` holds `package.json` and `package-lock.json` (exact versions);
`scripts/install-ecosystem` installs them (`npm ci`) and Debian's Chromium when missing.
A long-running tool (a gateway) prints `READY {json of its URLs}` when it is ready (other lines
are its own logs) and serves until its stdin closes; `node_service` starts one in the session's
loop and always stops it. A tool that needs the test to act during its run (move a sandbox's
data through `tests/sandbox_control.py`, the one client of that API) prints `ASK {json}` and
reads one JSON line back (`node/ask.mjs`); `run_asking` answers.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.harness import Sandboxes

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = Path(__file__).resolve().parent / "node"
NODE_MODULES = NODE_DIR / "node_modules"
TEST_OUTPUT = ROOT / "test-output"
#: Generous: starting Node, composing a supergraph or launching a browser on a loaded machine.
READY_SECONDS = 120.0


def node() -> str:
    """The `node` executable; the tests fail (never skip) without their tools."""
    found = shutil.which("node")
    assert found, "node is not installed: run scripts/install-ecosystem"
    assert NODE_MODULES.is_dir(), f"{NODE_MODULES} is missing: run scripts/install-ecosystem"
    return found


@dataclass(frozen=True)
class Finished:
    """A tool that ran to its end."""

    returncode: int
    stdout: str
    stderr: str


async def run_tool(
    *args: str | Path, cwd: Path = NODE_DIR, env: Mapping[str, str] | None = None
) -> Finished:
    """Run `args` (a Node tool) to completion, within `READY_SECONDS`; `env` is added to the
    test's environment."""
    process = await asyncio.create_subprocess_exec(
        *map(str, args),
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), READY_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


Answer = Callable[[dict[str, Any]], Awaitable[Any]]


async def run_asking(*args: str | Path, answer: Answer, cwd: Path = NODE_DIR) -> Finished:
    """Run `args` (a Node tool) to completion, within `READY_SECONDS`, answering each `ASK
    {json}` line it prints with `answer(json)` on its stdin; the other lines are its stdout."""
    process = await asyncio.create_subprocess_exec(
        *map(str, args),
        cwd=cwd,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin and process.stdout and process.stderr
    stdin, stdout = process.stdin, process.stdout
    errors = asyncio.ensure_future(process.stderr.read())

    async def converse() -> str:
        printed: list[str] = []
        while line := await stdout.readline():
            if line.startswith(b"ASK "):
                reply = await answer(json.loads(line[len(b"ASK ") :]))
                stdin.write(json.dumps(reply).encode() + b"\n")
                await stdin.drain()
            else:
                printed.append(line.decode())
        await process.wait()
        return "".join(printed)

    try:
        printed = await asyncio.wait_for(converse(), READY_SECONDS)
    except BaseException:
        if process.returncode is None:
            process.kill()
            await process.wait()
        errors.cancel()
        raise
    finally:
        stdin.close()
    assert process.returncode is not None
    return Finished(process.returncode, printed, (await errors).decode())


def sandbox_changes(sandboxes: Sandboxes) -> Answer:
    """Answers `ASK {"sandbox": "algod", "change": {...}}` by moving that sandbox's data
    (`SandboxControl.change_holdings`) with the sandbox's answer."""
    by_name = {handle.name: handle for handle in sandboxes.all()}

    async def answer(question: dict[str, Any]) -> Any:
        return await by_name[question["sandbox"]].change_holdings(**question["change"])

    return answer


async def _ready(stdout: asyncio.StreamReader) -> dict[str, Any] | None:
    """The URLs a tool printed when ready; None when it ended first."""
    while line := await stdout.readline():
        if line.startswith(b"READY "):
            ready: dict[str, Any] = json.loads(line[len(b"READY ") :])
            return ready
    return None


@asynccontextmanager
async def node_service(script: str, *args: str) -> AsyncIterator[dict[str, Any]]:
    """Start `node script args`, yield the JSON line it prints when ready, stop it after."""
    process = await asyncio.create_subprocess_exec(
        node(),
        script,
        *args,
        cwd=NODE_DIR,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin and process.stdout and process.stderr
    try:
        ready = await asyncio.wait_for(_ready(process.stdout), READY_SECONDS)
        if ready is None:
            await process.wait()
            problem = (await process.stderr.read()).decode()
            raise AssertionError(f"{script} exited {process.returncode}: {problem}")
        yield ready
    finally:
        if process.returncode is None:
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()
        await process.stdout.read()
        await process.stderr.read()
