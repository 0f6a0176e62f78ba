"""The command line, run as a newcomer would: `python server.py ...` in a fresh process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from settings import DEV_JWT_SECRET

ROOT = Path(__file__).resolve().parents[1]
SERVER = str(ROOT / "server.py")
SANDBOX_KEYS = {
    "ALGOD_URL",
    "ALGOD_TOKEN",
    "CARDANOBI_URL",
    "CARDANOBI_AUTH_URL",
    "CARDANOBI_API_KEY",
    "CARDANOBI_API_SECRET",
    "CALICO_URL",
    "MESH_URL",
    "MESH_CLIENT_ID",
    "MESH_CLIENT_SECRET",
}


def _env(**extra: str) -> dict[str, str]:
    """A clean environment: none of the server's settings inherited from the test process."""
    env = {k: v for k, v in os.environ.items() if k.upper() not in SANDBOX_KEYS}
    for key in ("JWT_SECRET", "JWT_PUBLIC_KEY", "CURSOR_SECRET", "PORT", "HOST"):
        env.pop(key, None)
    env.update(extra)
    return env


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, SERVER, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT / "tests",
        env=_env(**env),
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout:
            process.stdout.close()


def _wait_for_lines(process: subprocess.Popen[str], predicate, limit: float = 30.0) -> list[str]:  # type: ignore[no-untyped-def]
    lines: list[str] = []
    deadline = time.monotonic() + limit
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if predicate(lines):
            return lines
    raise AssertionError(f"did not see the expected output: {lines}")


def _get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_export_schema_prints_the_committed_sdl_and_writes_the_client_schema(
    tmp_path: Path,
) -> None:
    client = tmp_path / "schema.client.graphql"
    result = _run("export-schema", "--client-schema", str(client))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (ROOT / "schema.graphql").read_text()
    assert client.read_text() == (ROOT / "schema.client.graphql").read_text()


def test_token_prints_a_bearer_token_for_the_user() -> None:
    result = _run("token", "alice")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), DEV_JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "alice" and claims["exp"] > time.time()


def test_a_placeholder_secret_with_a_real_upstream_stops_the_server_without_echoing_it() -> None:
    result = _run(
        "--port",
        str(_free_port()),
        ALGOD_URL="https://algod.example.org",
        JWT_SECRET="changethis",
        CURSOR_SECRET="a-quite-secret-cursor-key-of-40-chars-xx",
    )
    assert result.returncode != 0
    assert "JWT_SECRET is a placeholder" in result.stderr
    assert "a-quite-secret-cursor-key" not in result.stderr + result.stdout


def test_sandbox_prints_settings_and_serves_the_four_sandboxes(
    started: list[subprocess.Popen[str]],
) -> None:
    process = subprocess.Popen(
        [sys.executable, SERVER, "sandbox", "--base-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT / "tests",
        env=_env(),
    )
    started.append(process)
    lines = _wait_for_lines(process, lambda seen: len(seen) >= len(SANDBOX_KEYS))
    settings = dict(line.split("=", 1) for line in lines)
    assert set(settings) == SANDBOX_KEYS
    for key in ("ALGOD_URL", "CARDANOBI_URL", "CALICO_URL", "MESH_URL"):
        assert _get_json(settings[key] + "/_sandbox/stats")["total"] == 0
    address = "OKKJVEUELQFD4ZFEX3HXAWUD4ANLRNFUN6KUZAIXEKBIJYJTVGTHYYQJJE"
    body = _get_json(
        f"{settings['ALGOD_URL']}/v2/accounts/{address}/assets",
        {"X-Algo-API-Token": settings["ALGOD_TOKEN"]},
    )
    assert body["asset-holdings"] == []


def test_serve_runs_on_the_embedded_sandboxes_and_says_so(
    started: list[subprocess.Popen[str]],
) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, SERVER, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT / "tests",
        env=_env(),
    )
    started.append(process)
    lines = _wait_for_lines(process, lambda seen: any("Uvicorn running" in line for line in seen))
    assert any(f"http://127.0.0.1:{port}/graphql" in line for line in lines)
    assert any("embedded sandboxes" in line for line in lines)
    url = f"http://127.0.0.1:{port}/graphql"
    whale = "4BKTTRHZ2MXLTTYWY76S5GOCSQ6UYXHHAGSNVAKETKEO5ONLKJIZWR6IYM"
    query = (
        f'{{ account(source: ALGORAND, address: "{whale}") '
        "{ holdings(first: 1) { edges { node { asset { symbol } } } } } }"
    )
    body = _post_json(url, {"query": query})
    assert len(body["data"]["account"]["holdings"]["edges"]) == 1
    token = _run("token", "alice").stdout.strip()
    headers = {"Authorization": f"Bearer {token}", "X-Calico-Token": "sandbox-calico-alice"}
    viewer = _post_json(url, {"query": "{ viewer { userId accounts { source } } }"}, headers)
    assert viewer["data"]["viewer"] == {
        "userId": "alice",
        "accounts": [{"source": "CALICO"}, {"source": "MESH"}],
    }
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "graphiql" in response.read().decode().lower()
