"""No credential reaches a log line or an error payload, whatever an upstream does.

The test serves the graph on sandboxes of its own, started with fresh random credentials (so the
strings searched for are unmistakable), captures every log record of every logger at DEBUG
(ours, uvicorn's with its access log, aiohttp's, asyncio's) and every response body, while each
upstream in turn answers every fault: each error status, a malformed body, a dropped connection,
a body too slow and an answer too late for the timeout. It then searches all of it for each
credential, whole and by distinctive pieces: the algod token, the CardanoBI key, secret and the
bearer tokens its identity server issued (read by a loopback proxy in front of it), the Mesh
client id and secret, the users' JWTs (valid and refused) and Calico tokens, and the server's own
JWT and cursor secrets.

That Calico's `next_uri` pointing at another host is never followed is proven in
`tests/sources/calico/test_client_assets.py::test_an_absolute_next_uri_on_another_host_is_never_requested`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web

from resolvers.identity import issue_token
from settings import Settings
from sources.algod import sandbox_data as algod_data
from sources.algod.sandbox import AlgodSandbox
from sources.calico.sandbox import CalicoSandbox
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.sandbox import TOKEN_PATH, CardanoBISandbox
from sources.mesh.sandbox import MeshSandbox
from sources.sandboxing import start_sandbox
from telemetry.logging import JsonFormatter
from tests.harness import SandboxHandle, serve_graph
from tests.sources.loopback import serving

JWT_SECRET = "leak-test-jwt-" + secrets.token_urlsafe(24)
CURSOR_SECRET = "leak-test-cursor-" + secrets.token_urlsafe(24)
ALGOD_TOKEN = secrets.token_hex(32)
CARDANOBI_KEY = "cbk-" + secrets.token_urlsafe(18)
CARDANOBI_SECRET = "cbs-" + secrets.token_urlsafe(24)
MESH_ID = "mid-" + secrets.token_urlsafe(18)
MESH_SECRET = "msc-" + secrets.token_urlsafe(24)
CALICO_TOKEN = "sandbox-calico-alice"
WRONG_CALICO_TOKEN = "calico-not-a-real-token-" + secrets.token_urlsafe(12)

EVERYTHING = """
query Everything($algo: String!, $ada: String!) {
  algo: account(source: ALGORAND, address: $algo) { holdings(first: 3) { totalCount } }
  ada: account(source: CARDANO, address: $ada) { holdings(first: 3) { totalCount } }
  viewer { userId accounts { source holdings(first: 3) { totalCount } } }
}
"""
VARIABLES = {"algo": algod_data.SMALL, "ada": cardano_data.SMALL}
REFRESH = "mutation { refreshHoldings(source: CALICO) { accepted retryAfterSeconds } }"

FAULTS: list[dict[str, Any]] = [
    *({"status": status} for status in (400, 401, 402, 403, 404, 500, 502, 503, 504)),
    {"status": 429, "retry_after": 1},
    {"malformed": True},
    {"drop": True},
    {"slow_body_ms": 2500},
    {"latency_ms": 2500},
]
DATA_PATHS = {"algod": "/v2/", "cardanobi": "/api/", "calico": "/accounts/", "mesh": "/api/"}
"""Where each upstream's data lives: a fault limited to it spares the token endpoints."""


class Captured(logging.Handler):
    """Every record, formatted as JSON with its arguments, extras and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + repr(record.args))


@contextmanager
def every_log_at_debug() -> Iterator[Captured]:
    handler = Captured()
    names = ["", "aiohttp", "aiohttp.access", "aiohttp.client", "aiohttp.server", "asyncio"]
    names += ["uvicorn", "uvicorn.error", "uvicorn.access", "holdings_graph"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@asynccontextmanager
async def token_proxy(
    http: aiohttp.ClientSession, target: str, issued: list[str]
) -> AsyncIterator[str]:
    """A loopback proxy for CardanoBI's token endpoint that notes every bearer it hands out."""

    async def forward(request: web.Request) -> web.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in {"host"}}
        async with http.post(target, data=await request.read(), headers=headers) as answer:
            body = await answer.read()
            status, content_type = answer.status, answer.content_type
        if status == 200:
            issued.append(json.loads(body)["access_token"])
        return web.Response(body=body, status=status, content_type=content_type)

    async with serving([web.post(TOKEN_PATH, forward)]) as proxy:
        yield proxy.url + TOKEN_PATH


def pieces(secret: str) -> set[str]:
    """The secret, and distinctive pieces of it (any 12 characters from its middle)."""
    found = {secret}
    if len(secret) >= 16:
        middle = len(secret) // 2
        found |= {secret[middle - 6 : middle + 6], secret[:12], secret[-12:]}
    return found


def jwt_pieces(token: str) -> set[str]:
    _, payload, signature = token.split(".")
    return {token, payload, signature}


async def test_no_credential_reaches_a_log_or_an_error_payload(
    http: aiohttp.ClientSession,
) -> None:
    started = {
        "algod": await start_sandbox(AlgodSandbox(token=ALGOD_TOKEN)),
        "cardanobi": await start_sandbox(
            CardanoBISandbox(api_key=CARDANOBI_KEY, api_secret=CARDANOBI_SECRET)
        ),
        "calico": await start_sandbox(CalicoSandbox()),
        "mesh": await start_sandbox(MeshSandbox(client_id=MESH_ID, client_secret=MESH_SECRET)),
    }
    handles = {name: SandboxHandle(http, running.url, name) for name, running in started.items()}
    issued: list[str] = []
    valid_jwt = issue_token(JWT_SECRET, "alice")
    expired_jwt = issue_token(
        JWT_SECRET, "alice", now=datetime.now(UTC) - timedelta(days=2), lifetime=timedelta(hours=1)
    )
    users = [
        {"Authorization": f"Bearer {valid_jwt}", "X-Calico-Token": CALICO_TOKEN},
        {"Authorization": f"Bearer {valid_jwt}", "X-Calico-Token": WRONG_CALICO_TOKEN},
        {"Authorization": f"Bearer {expired_jwt}", "X-Calico-Token": CALICO_TOKEN},
    ]
    payloads: list[str] = []
    try:
        async with token_proxy(http, handles["cardanobi"].url + TOKEN_PATH, issued) as auth:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                algod_url=handles["algod"].url,
                algod_token=ALGOD_TOKEN,
                cardanobi_url=handles["cardanobi"].url,
                cardanobi_auth_url=auth,
                cardanobi_api_key=CARDANOBI_KEY,
                cardanobi_api_secret=CARDANOBI_SECRET,
                calico_url=handles["calico"].url,
                mesh_url=handles["mesh"].url,
                mesh_client_id=MESH_ID,
                mesh_client_secret=MESH_SECRET,
                jwt_secret=JWT_SECRET,
                cursor_secret=CURSOR_SECRET,
                upstream_timeout_seconds=1.0,
                log_level="debug",
            )
            with every_log_at_debug() as captured:
                async with serve_graph(
                    settings, http, log_level="debug", access_log=True, log_config=None
                ) as graph:

                    async def ask(headers: dict[str, str]) -> None:
                        for query, variables in ((EVERYTHING, VARIABLES), (REFRESH, None)):
                            status, body = await graph.post(query, variables, headers=headers)
                            assert status == 200
                            payloads.append(json.dumps(body))

                    for headers in users:  # no fault: the server fetches a CardanoBI bearer
                        await ask(headers)
                    for fault in FAULTS:
                        for limited in (False, True):
                            for name, handle in handles.items():
                                where = {"path": DATA_PATHS[name]} if limited else {}
                                await handle.faults(**fault, **where)
                            await asyncio.gather(*(ask(headers) for headers in users))
                    for handle in handles.values():
                        await handle.reset()
    finally:
        for running in started.values():
            await running.close()

    assert issued, "the server never fetched a CardanoBI bearer through the proxy"
    secret_strings = set()
    for secret in (
        ALGOD_TOKEN,
        CARDANOBI_KEY,
        CARDANOBI_SECRET,
        MESH_ID,
        MESH_SECRET,
        CALICO_TOKEN,
        WRONG_CALICO_TOKEN,
        JWT_SECRET,
        CURSOR_SECRET,
        *issued,
    ):
        secret_strings |= pieces(secret)
    secret_strings |= jwt_pieces(valid_jwt) | jwt_pieces(expired_jwt)
    assert len(captured.lines) > 100, "the capture saw too little to mean anything"
    assert any("UPSTREAM_" in line for line in captured.lines)
    assert any('"code": "UPSTREAM_' in payload for payload in payloads)
    leaks = {
        secret: line
        for secret in secret_strings
        for line in [*captured.lines, *payloads]
        if secret in line
    }
    assert leaks == {}
