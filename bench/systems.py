"""The systems the bench runs S1 against side by side, over one algod sandbox.

| key | system |
|---|---|
| `ceiling` | a bare aiohttp handler returning algod's page unchanged (`bench.ceiling`) |
| `graph` | the holdings graph, one worker, public cache off |
| `graph-cache` | the holdings graph, one worker, public cache on (5 s) |
| `graph-standard` | the graph, one worker, cache off, COMPILED_EXECUTION=false (graphql-core) |
| `graph-<N>w` | the holdings graph with N workers, public cache off |
| `apollo` | Apollo Server 5 + `@apollo/datasource-rest` (`bench/peers/apollo.mjs`) |
| `mesh` | GraphQL Mesh v1 compose (`@omnigraph/openapi`) served by Hive Gateway |
| `mesh-jit` | the same, Hive Gateway with `--jit` |
| `mesh-official` | Mesh over the untouched official spec (uint64 as a 32-bit Int); not by default |
| `strawberry` | a naive stock Strawberry server (`bench.peers.naive_strawberry`) |

Each system has a *dialect*: how it is asked S1 for one address, which bytes occur once per
holding in its answer (so the load loop checks every answer's 100 items without decoding it),
and where a decoded answer keeps its `(asset, raw amount)` pairs for the exactness count. The
graph, Apollo and Strawberry take the graph's own S1 document; Mesh takes algod's shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.peers.exactness import NATIVE, RawItem
from bench.peers.setup import BUILD, NODE_MODULES, PEERS, compose_supergraph, node
from bench.processes import Process, free_port, start, wait_http
from bench.scenarios import S1
from bench.serving import graph_server

__all__ = [
    "DEFAULT_SYSTEMS",
    "Dialect",
    "RunContext",
    "Served",
    "System",
    "system",
]

_NODE_START_SECONDS = 120  # Hive Gateway loads its supergraph on a busy machine


@dataclass(frozen=True)
class Dialect:
    """How a system is asked S1 for an address, and how its answer lists the holdings."""

    method: str
    marker: bytes
    """Occurs exactly once per holding in an answer."""
    body: Callable[[str], bytes | None]
    query: Callable[[str], str]
    """The URL's query string (with its `?`) for an address."""
    items: Callable[[Any], list[RawItem | None]]


def _graph_items(answer: Any) -> list[RawItem | None]:
    items: list[RawItem | None] = []
    for edge in answer["data"]["account"]["holdings"]["edges"]:
        node_ = edge and edge["node"]
        if not node_:
            items.append(None)
            continue
        asset = node_["asset"]
        key = NATIVE if asset["kind"] == "NATIVE" else asset["assetId"]
        items.append((key, node_["rawAmount"]))
    return items


def _graph_body(address: str) -> bytes:
    return json.dumps({"query": S1, "variables": {"address": address}}).encode()


GRAPH_DIALECT = Dialect("POST", b'"rawAmount":', _graph_body, lambda _: "", _graph_items)

MESH_S1 = """query S1($address: queryInput_AccountAssetsInformation_address!) {
  AccountAssetsInformation(address: $address, limit: 100) {
    ... on AccountAssetsInformation_200_response {
      asset_holdings {
        asset_holding { asset_id amount is_frozen }
        asset_params { unit_name name decimals total url }
      }
      next_token
    }
  }
}"""


def _mesh_items(answer: Any) -> list[RawItem | None]:
    page = (answer.get("data") or {}).get("AccountAssetsInformation") or {}
    return [
        (str(entry["asset_holding"]["asset_id"]), entry["asset_holding"]["amount"])
        if entry and entry.get("asset_holding")
        else None
        for entry in page.get("asset_holdings") or ()
    ]


MESH_DIALECT = Dialect(
    "POST",
    b'"asset_holding":',
    lambda address: json.dumps({"query": MESH_S1, "variables": {"address": address}}).encode(),
    lambda _: "",
    _mesh_items,
)


def _algod_items(answer: Any) -> list[RawItem | None]:
    return [
        (str(entry["asset-holding"]["asset-id"]), entry["asset-holding"]["amount"])
        for entry in answer.get("asset-holdings") or ()
    ]


CEILING_DIALECT = Dialect(
    "GET", b'"asset-holding":', lambda _: None, lambda a: f"?address={quote(a)}", _algod_items
)


@dataclass
class RunContext:
    """What starting a system needs: the sandboxes' settings, and this run's supergraphs."""

    upstreams: Mapping[str, str]
    cardanobi_rate: float
    _supergraphs: dict[bool, Path] = field(default_factory=dict)

    def supergraph(self, *, official_uint64: bool) -> Path:
        if official_uint64 not in self._supergraphs:
            self._supergraphs[official_uint64] = compose_supergraph(
                self.upstreams["ALGOD_URL"],
                self.upstreams["ALGOD_TOKEN"],
                official_uint64=official_uint64,
            )
        return self._supergraphs[official_uint64]


@dataclass(frozen=True)
class Served:
    process: Process
    url: str
    log: Path | None = None


_Serve = Callable[[RunContext], AbstractContextManager[Served]]


@dataclass(frozen=True)
class System:
    key: str
    title: str
    dialect: Dialect
    serve: _Serve
    cold: bool = True
    """Measured over the cold accounts too."""
    fresh_for_cold: bool = False
    """Keeps per-id state (the graph's id and cursor caches): a new process for each cold pass."""
    prepare: Callable[[RunContext], object] = lambda _: None
    """What must be ready before any system starts (packages, a supergraph): fails early."""


@contextmanager
def _running(
    process: Process, url: str, ready: str, log: Path | None = None, *, ok: bool = False
) -> Iterator[Served]:
    try:
        wait_http(ready, seconds=_NODE_START_SECONDS, process=process, ok=ok)
        yield Served(process, url, log)
    finally:
        process.stop()


def _serve_graph(
    workers: int, cache_ttl: float, settings: Mapping[str, str] | None = None
) -> _Serve:
    @contextmanager
    def serve(context: RunContext) -> Iterator[Served]:
        with graph_server(
            context.upstreams, context.cardanobi_rate, workers, cache_ttl, settings
        ) as (process, url):
            yield Served(process, url)

    return serve


@contextmanager
def _serve_ceiling(context: RunContext) -> Iterator[Served]:
    port = free_port()
    arguments = ["-m", "bench.ceiling", "--port", str(port)]
    arguments += ["--algod-url", context.upstreams["ALGOD_URL"]]
    arguments += ["--algod-token", context.upstreams["ALGOD_TOKEN"]]
    url = f"http://127.0.0.1:{port}/ceiling"
    with _running(start("ceiling", arguments, {}), url, url) as served:
        yield served


@contextmanager
def _serve_strawberry(context: RunContext) -> Iterator[Served]:
    port = free_port()
    arguments = ["-m", "bench.peers.naive_strawberry", "--port", str(port)]
    arguments += ["--algod-url", context.upstreams["ALGOD_URL"]]
    arguments += ["--algod-token", context.upstreams["ALGOD_TOKEN"]]
    BUILD.mkdir(exist_ok=True)
    log = BUILD / "strawberry.log"
    url = f"http://127.0.0.1:{port}/graphql"
    with _running(start("strawberry", arguments, {}, log=log), url, url, log) as served:
        yield served


def _node_env(context: RunContext, port: int) -> dict[str, str]:
    return {
        "NODE_ENV": "production",
        "ALGOD_URL": context.upstreams["ALGOD_URL"],
        "ALGOD_TOKEN": context.upstreams["ALGOD_TOKEN"],
        "PORT": str(port),
    }


@contextmanager
def _serve_apollo(context: RunContext) -> Iterator[Served]:
    port = free_port()
    executable = node()
    BUILD.mkdir(exist_ok=True)
    log = BUILD / "apollo.log"
    process = start(
        "apollo",
        [str(PEERS / "apollo.mjs")],
        _node_env(context, port),
        executable=executable,
        cwd=PEERS,
        log=log,
    )
    url = f"http://127.0.0.1:{port}/"
    with _running(process, url, url, log) as served:
        yield served


def _serve_mesh(*, jit: bool, official_uint64: bool = False) -> _Serve:
    @contextmanager
    def serve(context: RunContext) -> Iterator[Served]:
        executable = node()
        supergraph = context.supergraph(official_uint64=official_uint64)
        port = free_port()
        name = "mesh" + ("-official" if official_uint64 else "") + ("-jit" if jit else "")
        log = BUILD / f"{name}.log"
        arguments = [str(NODE_MODULES / "@graphql-hive" / "gateway" / "dist" / "bin.js")]
        # One worker, like the graph's row it is compared with (`--fork` is its worker count).
        arguments += ["supergraph", str(supergraph), "--host", "127.0.0.1", "--port", str(port)]
        arguments += ["--fork", "1", *(["--jit"] if jit else [])]
        process = start(
            name, arguments, _node_env(context, port), executable=executable, cwd=PEERS, log=log
        )
        base = f"http://127.0.0.1:{port}"
        ready = f"{base}/readiness"
        with _running(process, f"{base}/graphql", ready, log, ok=True) as served:
            yield served

    return serve


_SYSTEMS: dict[str, System] = {
    s.key: s
    for s in (
        System(
            "ceiling", "bare aiohttp pass-through of algod's page", CEILING_DIALECT, _serve_ceiling
        ),
        System(
            "graph",
            "the holdings graph, one worker, public cache off",
            GRAPH_DIALECT,
            _serve_graph(1, 0.0),
            fresh_for_cold=True,
        ),
        System(
            "graph-cache",
            "the holdings graph, one worker, public cache on (5 s)",
            GRAPH_DIALECT,
            _serve_graph(1, 5.0),
            cold=False,
        ),
        System(
            "graph-standard",
            "the holdings graph, one worker, public cache off, COMPILED_EXECUTION=false",
            GRAPH_DIALECT,
            _serve_graph(1, 0.0, {"COMPILED_EXECUTION": "false"}),
            fresh_for_cold=True,
        ),
        System(
            "apollo",
            "Apollo Server 5 + @apollo/datasource-rest",
            GRAPH_DIALECT,
            _serve_apollo,
            prepare=lambda _: node(),
        ),
        System(
            "mesh",
            "GraphQL Mesh v1 + Hive Gateway",
            MESH_DIALECT,
            _serve_mesh(jit=False),
            prepare=lambda context: context.supergraph(official_uint64=False),
        ),
        System(
            "mesh-jit",
            "GraphQL Mesh v1 + Hive Gateway --jit",
            MESH_DIALECT,
            _serve_mesh(jit=True),
            prepare=lambda context: context.supergraph(official_uint64=False),
        ),
        System(
            "mesh-official",
            "GraphQL Mesh v1 + Hive Gateway --jit, official spec (uint64 as Int)",
            MESH_DIALECT,
            _serve_mesh(jit=True, official_uint64=True),
            prepare=lambda context: context.supergraph(official_uint64=True),
        ),
        System(
            "strawberry",
            "naive stock Strawberry + aiohttp",
            GRAPH_DIALECT,
            _serve_strawberry,
        ),
    )
}

DEFAULT_SYSTEMS = ("ceiling", "graph", "graph-cache", "apollo", "mesh", "mesh-jit", "strawberry")


def system(key: str) -> System:
    """The system named `key` (see the table above); `graph-<N>w` for N workers."""
    if key in _SYSTEMS:
        return _SYSTEMS[key]
    if key.startswith("graph-") and key.endswith("w") and key[6:-1].isdigit():
        workers = int(key[6:-1])
        if workers >= 1:
            return System(
                key,
                f"the holdings graph, {workers} workers, public cache off",
                GRAPH_DIALECT,
                _serve_graph(workers, 0.0),
                cold=False,
            )
    known = ", ".join([*_SYSTEMS, "graph-<N>w"])
    raise ValueError(f"unknown system {key[:40]!r}: pick from {known}")
