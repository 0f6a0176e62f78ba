"""No credential leaks from the upstream side: while each upstream fails in
each way in turn (retries, timeouts and bad bodies included), no response and no log line holds
the server's upstream credentials, the caller's JWT or their Calico token."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN
from sources.cardanobi.sandbox import SANDBOX_API_KEY, SANDBOX_API_SECRET
from sources.mesh.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.graph.all_sources import FAULTS, QUERY, SANDBOX, TIMEOUT, VARIABLES
from tests.harness import (
    CALICO_TOKENS,
    CURSOR_SECRET,
    JWT_SECRET,
    GraphClient,
    Sandboxes,
    serve_graph,
)


@pytest_asyncio.fixture(scope="module")
async def failing_graph(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> AsyncIterator[GraphClient]:
    settings = sandboxes.settings(upstream_timeout_seconds=TIMEOUT)
    async with serve_graph(settings, http) as graph:
        yield graph
    await sandboxes.reset()


async def test_no_credential_reaches_a_response_or_a_log_line_under_any_fault(
    failing_graph: GraphClient, clean: Sandboxes, caplog: pytest.LogCaptureFixture
) -> None:
    jwt = failing_graph.token("bob")
    headers = {"Authorization": f"Bearer {jwt}", "X-Calico-Token": CALICO_TOKENS["bob"]}
    secrets = {
        "algod token": SANDBOX_ALGOD_TOKEN,
        "CardanoBI key": SANDBOX_API_KEY,
        "CardanoBI secret": SANDBOX_API_SECRET,
        "Mesh client id": SANDBOX_CLIENT_ID,
        "Mesh client secret": SANDBOX_CLIENT_SECRET,
        "the user's JWT": jwt,
        "the user's Calico token": CALICO_TOKENS["bob"],
        "JWT secret": JWT_SECRET,
        "cursor secret": CURSOR_SECRET,
    }
    seen: list[str] = []
    codes: set[str] = set()
    with caplog.at_level(logging.DEBUG):
        for source, sandbox in SANDBOX.items():
            for faults, _ in FAULTS.values():
                await clean.reset()
                await getattr(clean, sandbox).faults(**faults)
                status, body = await failing_graph.post(QUERY, VARIABLES, headers=headers)
                assert status == 200
                seen.append(str(body))
                codes.update(e["extensions"]["code"] for e in body.get("errors", []))
                assert "errors" in body, f"{source} with {faults} failed nothing"
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(str(record.args) for record in caplog.records)
    text = "\n".join(seen)
    for name, secret in secrets.items():
        assert secret not in text, f"{name} leaked"
    assert "Bearer" not in text and "Basic " not in text
    assert codes == {
        "UPSTREAM_UNAVAILABLE",
        "UPSTREAM_TIMEOUT",
        "UPSTREAM_RATE_LIMITED",
        "UPSTREAM_QUOTA_EXCEEDED",
        "UPSTREAM_UNAUTHORIZED",
        "UPSTREAM_BAD_RESPONSE",
    }  # every kind of upstream failure was seen
