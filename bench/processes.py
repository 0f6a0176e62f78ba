"""Starting and measuring the processes of a benchmark run: sandboxes, servers, peers, ceiling.

A process's CPU time is read from `/proc/<pid>/stat` (user + system time of all its threads, and
of the children it waited for), summed over the process and its live children, so a server that
forks workers is measured whole.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = [
    "Process",
    "cpu_seconds",
    "free_port",
    "peak_rss_mib",
    "rss_mib",
    "start",
    "wait_http",
]

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[str]

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=5)
        if self.popen.stdout is not None:
            self.popen.stdout.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    name: str,
    arguments: Sequence[str],
    env: Mapping[str, str],
    *,
    executable: str = sys.executable,
    cwd: Path = ROOT,
    log: Path | None = None,
) -> Process:
    """Start `executable arguments` (Python by default) with only PATH, HOME and `env`.

    Its output is a pipe the caller reads (`popen.stdout`), or, with `log`, that file: a
    server nobody reads would block once the pipe's buffer is full.
    """
    output: IO[str] | int = subprocess.PIPE if log is None else log.open("w")
    popen = subprocess.Popen(
        [executable, *arguments],
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/"), **env},
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if not isinstance(output, int):
        output.close()  # the child has its own descriptor
    return Process(name, popen)


def wait_http(
    url: str, *, seconds: float = 30, process: Process | None = None, ok: bool = False
) -> None:
    """Until `url` answers (any status; with `ok`, a 2xx), or RuntimeError after `seconds` or
    as soon as `process` (the one that should answer) has ended."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} ended (exit {process.popen.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            if not ok:
                return
            time.sleep(0.1)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s")


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            pids.extend(_tree(int(child)))
    return pids


def rss_mib(pid: int) -> float:
    """Resident memory of `pid` and its children now, in MiB."""
    return sum(_status_kib(p, "VmRSS") for p in _tree(pid)) / 1024


def peak_rss_mib(pid: int) -> float:
    """The high-water mark of resident memory of `pid` and its children, in MiB."""
    return sum(_status_kib(p, "VmHWM") for p in _tree(pid)) / 1024


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:  # a child that ended between listing and reading
        return 0
    # The command name (field 2) may hold spaces: the fields after its ")" are fixed.
    fields = stat.rsplit(")", 1)[1].split()
    # utime, stime, and cutime, cstime: the children it already waited for (fields 14 to 17).
    return sum(int(field) for field in fields[11:15])


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by `pid` and its live children."""
    return sum(_cpu_ticks(p) for p in _tree(pid)) / _CLOCK_TICKS
