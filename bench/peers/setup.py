"""What the Node peers need before a run: their packages, and a supergraph for this sandbox.

`scripts/install-bench` installs the packages of `bench/peers/package-lock.json` (`npm ci`). A
Mesh supergraph embeds algod's URL and token, and each run's sandbox listens on a new port, so
`compose_supergraph` writes the trimmed algod spec and composes a supergraph for it in
`bench/peers/build/` (git-ignored) at the start of every run that measures Mesh.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

from bench.peers.algod_spec import DEFAULT_SPEC, trim
from bench.processes import ROOT

__all__ = ["BUILD", "NODE_MODULES", "PEERS", "SetupError", "compose_supergraph", "node"]

PEERS = ROOT / "bench" / "peers"
NODE_MODULES = PEERS / "node_modules"
BUILD = PEERS / "build"


class SetupError(RuntimeError):
    """A peer cannot run: what is missing and the command that installs it."""


def node() -> str:
    """The `node` executable, once the peers' packages are installed."""
    found = shutil.which("node")
    if found is None:
        raise SetupError("node is not installed (Node.js 20+): apt-get install nodejs npm")
    stamp = NODE_MODULES / ".installed-lock.sha256"
    if not stamp.is_file():
        raise SetupError(f"{NODE_MODULES} is not installed: run scripts/install-bench")
    wanted = hashlib.sha256((PEERS / "package-lock.json").read_bytes()).hexdigest()
    if stamp.read_text().strip() != wanted:
        raise SetupError(
            f"{NODE_MODULES} is older than package-lock.json: run scripts/install-bench"
        )
    return found


def compose_supergraph(
    algod_url: str, algod_token: str, *, official_uint64: bool = False, spec: Path = DEFAULT_SPEC
) -> Path:
    """A Mesh supergraph of the trimmed algod spec served at `algod_url`; returns its path."""
    if not spec.is_file():
        raise SetupError(f"the official algod spec is not at {spec} (../shared/upstream-specs)")
    BUILD.mkdir(exist_ok=True)
    flavour = "official" if official_uint64 else "int64"
    trimmed = BUILD / f"algod.{flavour}.json"
    trimmed.write_text(
        json.dumps(trim(json.loads(spec.read_text()), uint64_as_int64=not official_uint64))
    )
    out = BUILD / f"supergraph.{flavour}.graphql"
    env = {
        "PATH": str(Path(node()).parent),
        "HOME": str(BUILD),
        "ALGOD_SPEC": str(trimmed),
        "ALGOD_URL": algod_url,
        "ALGOD_TOKEN": algod_token,
    }
    done = subprocess.run(
        [
            node(),
            str(NODE_MODULES / ".bin" / "mesh-compose"),
            "-c",
            "compose.config.ts",
            "-o",
            str(out),
        ],
        cwd=PEERS,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0 or not out.is_file():
        raise SetupError(f"mesh-compose failed ({done.returncode}): {done.stderr[-2000:]}")
    return out
