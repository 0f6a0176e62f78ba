"""Starting and measuring the processes of a benchmark run: sandboxes, server, ceiling."""

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

__all__ = ["Process", "free_port", "peak_rss_mib", "rss_mib", "start", "wait_http"]

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(name: str, arguments: Sequence[str], env: Mapping[str, str]) -> Process:
    popen = subprocess.Popen(
        [sys.executable, *arguments],
        cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/"), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Process(name, popen)


def wait_http(url: str, *, seconds: float = 30) -> None:
    """Until `url` answers at all (any status), or RuntimeError after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
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
