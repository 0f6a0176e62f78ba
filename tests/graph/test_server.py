"""The composition root: embedded sandboxes for unconfigured upstreams, real ones otherwise."""

from __future__ import annotations

import aiohttp

from server import sandbox_settings
from settings import Settings
from sources.algod import sandbox_data as algod_data
from tests.graph.support import MESH_PORTFOLIO
from tests.harness import CURSOR_SECRET, JWT_SECRET, Sandboxes, serve_graph


async def test_only_unconfigured_upstreams_run_on_embedded_sandboxes(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await sandboxes.reset()
    mesh = {k.lower(): v for k, v in sandbox_settings({"mesh": sandboxes.mesh.url}).items()}
    settings = Settings(_env_file=None, jwt_secret=JWT_SECRET, cursor_secret=CURSOR_SECRET, **mesh)  # type: ignore[call-arg]
    assert settings.sandboxed == {"algod", "cardanobi", "calico"}
    async with serve_graph(settings, http) as graph:
        data = await graph.data(
            """query($a: String!) {
              account(source: ALGORAND, address: $a) { holdings(first: 3) { nodes { amount } } }
              viewer { accounts { source positions(first: 1) { totalCount } } } }""",
            {"a": algod_data.WHALE},
            user="bob",
        )
    assert len(data["account"]["holdings"]["nodes"]) == 3
    assert data["viewer"]["accounts"] == [{"source": "MESH", "positions": {"totalCount": 1}}]
    assert await sandboxes.mesh.count(MESH_PORTFOLIO) == 1, "Mesh is the configured one"
    assert await sandboxes.algod.total() == 0, "algod answered from the embedded sandbox"
