"""Identity (issue point 9): who the caller is, which custodial data they may read, and which
bearer tokens are refused. Expected data comes from the sandboxes' data modules."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sources.calico import sandbox_data as calico_data
from sources.mesh import sandbox_data as mesh_data
from tests.graph.support import CALICO_ASSETS, MESH_PORTFOLIO, codes
from tests.harness import JWT_SECRET, GraphClient, Sandboxes, serve_graph

PROVIDER_ERROR = frozenset({"PROVIDER_ERROR"})
OTHER_SECRET = "another-jwt-secret-that-this-server-never-saw-0123"
AUDIENCE = "holdings-graph-tests"
ISSUER = "https://issuer.example.test/"

VIEWER = "{ viewer { userId accounts { source address } } }"

ACCOUNT = """
query Account($source: Source!, $address: String!) {
  account(source: $source, address: $address) {
    id address
    holdings(first: 5) { nodes { id amount asset { symbol } } }
    positions(first: 5) { nodes { id symbol amount } }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Account { source address }
    ... on AssetHolding { amount asset { symbol } }
    ... on Position { symbol amount }
  }
}
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    ... on AssetHolding { amount asset { symbol } }
    ... on Position { symbol amount }
  }
}
"""

CUSTODIAL_IDS = """
{
  calico: account(source: CALICO, address: "%(user)s") {
    id holdings(first: 1) { nodes { id } }
  }
  mesh: account(source: MESH, address: "%(user)s") {
    id holdings(first: 1) { nodes { id } } positions(first: 1) { nodes { id } }
  }
}
"""

HOLDINGS_PAGE = """
query Page($source: Source!, $address: String!, $after: String) {
  account(source: $source, address: $address) {
    holdings(first: 2, after: $after) {
      nodes { id amount asset { symbol } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

POSITIONS = """
query Positions($user: String!) {
  account(source: MESH, address: $user) {
    positions(first: 100) { nodes { kind symbol amount costBasis marketValue lastPrice } }
  }
}
"""

CALICO_HOLDINGS = """
query Calico($user: String!) {
  account(source: CALICO, address: $user) {
    holdings(first: 100) { nodes { amount provider { slug } asset { symbol } } }
  }
}
"""


async def custodial_ids(graph: GraphClient, user: str) -> dict[str, str]:
    """Ids of `user`'s Calico and Mesh account, of a holding of each, and of a Mesh position."""
    body = await graph.query(CUSTODIAL_IDS % {"user": user}, user=user, calico=True)
    assert set(codes(body)) <= PROVIDER_ERROR, body.get("errors")
    calico, mesh = body["data"]["calico"], body["data"]["mesh"]
    return {
        "calico-account": calico["id"],
        "calico-holding": calico["holdings"]["nodes"][0]["id"],
        "mesh-account": mesh["id"],
        "mesh-holding": mesh["holdings"]["nodes"][0]["id"],
        "mesh-position": mesh["positions"]["nodes"][0]["id"],
    }


def only_error(body: dict[str, Any], code: str, path: list[Any]) -> dict[str, Any]:
    """The response's one error, which must have `code` at `path`."""
    assert codes(body) == [code], body.get("errors")
    error: dict[str, Any] = body["errors"][0]
    assert error["path"] == path, error
    return error


def alice_values() -> set[str]:
    """Strings that only alice's custodial data contains (her Calico symbols, Mesh tickers)."""
    bob_symbols = {a.asset_symbol for a in calico_data.assets_of("bob")}
    calico = {a.asset_symbol for a in calico_data.assets_of("alice")} - bob_symbols
    return calico | {"TSLA", "AAPL", "DOGE"}


def assert_holds_nothing_of_alice(body: dict[str, Any]) -> None:
    text = json.dumps(body.get("data"))
    leaked = {value for value in alice_values() if f'"{value}"' in text}
    assert not leaked, leaked


# --- who the caller is ------------------------------------------------------------------------


async def test_viewer_is_null_without_authorization_and_without_error(graph: GraphClient) -> None:
    body = await graph.query(VIEWER)
    assert body == {"data": {"viewer": None}}


async def test_alices_viewer_lists_her_calico_and_mesh_accounts(graph: GraphClient) -> None:
    data = await graph.data(VIEWER, user="alice", calico=True)
    assert data["viewer"]["userId"] == "alice"
    accounts = [(a["source"], a["address"]) for a in data["viewer"]["accounts"]]
    assert sorted(accounts) == [("CALICO", "alice"), ("MESH", "alice")]


async def test_the_viewer_has_no_calico_account_without_a_calico_token(graph: GraphClient) -> None:
    data = await graph.data(VIEWER, user="alice")
    assert data["viewer"]["userId"] == "alice"
    assert [(a["source"], a["address"]) for a in data["viewer"]["accounts"]] == [("MESH", "alice")]


Row = tuple[str, Decimal, Decimal | None, Decimal | None]


def position_order(row: Row) -> tuple[str, Decimal, Decimal, Decimal]:
    kind, amount, cost_basis, market_value = row
    return (kind, amount, cost_basis or Decimal(-1), market_value or Decimal(-1))


def mesh_positions(user: str) -> list[Row]:
    """(kind, amount, costBasis, marketValue) of every position of `user` in the sandbox."""
    portfolio = mesh_data.portfolio_of(user)
    assert portfolio is not None
    rows = []
    for kind, key in (
        ("EQUITY", "equityPositions"),
        ("CRYPTOCURRENCY", "cryptocurrencyPositions"),
        ("NFT", "nftPositions"),
    ):
        for position in portfolio[key] or ():
            rows.append((kind, position["amount"], position["costBasis"], position["marketValue"]))
    return sorted(rows, key=position_order)


def mesh_tickers(user: str) -> list[str]:
    portfolio = mesh_data.portfolio_of(user)
    assert portfolio is not None
    listed = [*portfolio["equityPositions"], *portfolio["cryptocurrencyPositions"]]
    return sorted(position["symbol"] for position in listed)


def decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@pytest.mark.parametrize("user", ["bob", "alice"])
async def test_mesh_is_asked_for_the_portfolio_of_the_tokens_subject(
    graph: GraphClient, clean: Sandboxes, user: str
) -> None:
    data = await graph.data(POSITIONS, {"user": user}, user=user)
    nodes = data["account"]["positions"]["nodes"]
    got = sorted(
        (
            (n["kind"], Decimal(n["amount"]), decimal(n["costBasis"]), decimal(n["marketValue"]))
            for n in nodes
        ),
        key=position_order,
    )
    assert got == mesh_positions(user)
    tickers = sorted(n["symbol"] for n in nodes if n["kind"] != "NFT")
    assert tickers == mesh_tickers(user)
    assert await clean.mesh.count(MESH_PORTFOLIO) == 1


async def test_bobs_single_mesh_position_has_the_sandboxs_values(graph: GraphClient) -> None:
    portfolio = mesh_data.portfolio_of("bob")
    assert portfolio is not None
    (expected,) = portfolio["equityPositions"]
    data = await graph.data(POSITIONS, {"user": "bob"}, user="bob")
    (position,) = data["account"]["positions"]["nodes"]
    assert position["kind"] == "EQUITY"
    assert position["symbol"] == expected["symbol"] == "MSFT"
    for field in ("amount", "costBasis", "marketValue", "lastPrice"):
        assert Decimal(position[field]) == expected[field], field


async def test_calico_is_asked_with_the_callers_own_calico_token(
    graph: GraphClient, clean: Sandboxes
) -> None:
    data = await graph.data(CALICO_HOLDINGS, {"user": "bob"}, user="bob", calico=True)
    got = [
        (n["provider"]["slug"], n["asset"]["symbol"], Decimal(n["amount"]))
        for n in data["account"]["holdings"]["nodes"]
    ]
    expected = [
        (a.provider_id, a.asset_symbol, a.asset_holdings) for a in calico_data.assets_of("bob")
    ]
    assert got == expected
    assert len(got) == 2
    assert {slug for slug, _, _ in got} == {"kraken"}
    assert await clean.calico.count(CALICO_ASSETS) == 1


# --- nobody reads another user's custodial data -------------------------------------------------


@pytest.mark.parametrize("source", ["CALICO", "MESH"])
async def test_another_users_custodial_account_is_forbidden(
    graph: GraphClient, clean: Sandboxes, source: str
) -> None:
    body = await graph.query(
        ACCOUNT, {"source": source, "address": "alice"}, user="bob", calico=True
    )
    assert body["data"] == {"account": None}
    only_error(body, "FORBIDDEN", ["account"])
    assert await clean.calico.total() == 0
    assert await clean.mesh.total() == 0


KINDS = ["calico-account", "calico-holding", "mesh-account", "mesh-holding", "mesh-position"]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_node_id_of_another_users_custodial_data_is_forbidden(
    graph: GraphClient, clean: Sandboxes, kind: str
) -> None:
    alices = await custodial_ids(graph, "alice")
    await clean.reset()
    body = await graph.query(NODE, {"id": alices[kind]}, user="bob", calico=True)
    assert body["data"] == {"node": None}
    only_error(body, "FORBIDDEN", ["node"])
    assert await clean.calico.total() == 0
    assert await clean.mesh.total() == 0


@pytest.mark.parametrize(
    ("kind", "sandbox"), [("calico-holding", "calico"), ("mesh-position", "mesh")]
)
async def test_nodes_mixing_own_and_another_users_ids_forbid_only_the_foreign_slot(
    graph: GraphClient, clean: Sandboxes, kind: str, sandbox: str
) -> None:
    alices = await custodial_ids(graph, "alice")
    bobs = await custodial_ids(graph, "bob")
    await clean.reset()
    body = await graph.query(NODES, {"ids": [bobs[kind], alices[kind]]}, user="bob", calico=True)
    own, foreign = body["data"]["nodes"]
    assert own is not None and own["id"] == bobs[kind]
    assert foreign is None
    only_error(body, "FORBIDDEN", ["nodes", 1])
    assert_holds_nothing_of_alice(body)
    # One request, for bob's own slot; none for alice's.
    assert await getattr(clean, sandbox).total() == 1


@pytest.mark.parametrize("source", ["CALICO", "MESH"])
@pytest.mark.parametrize("target", ["bob", "alice"], ids=["on-bobs-account", "on-alices-account"])
async def test_another_users_holdings_cursor_is_forbidden(
    graph: GraphClient, clean: Sandboxes, source: str, target: str
) -> None:
    body = await graph.query(
        HOLDINGS_PAGE, {"source": source, "address": "alice"}, user="alice", calico=True
    )
    assert set(codes(body)) <= PROVIDER_ERROR, body.get("errors")
    page = body["data"]["account"]["holdings"]
    assert page["pageInfo"]["hasNextPage"] is True
    cursor = page["pageInfo"]["endCursor"]
    await clean.reset()
    body = await graph.query(
        HOLDINGS_PAGE,
        {"source": source, "address": target, "after": cursor},
        user="bob",
        calico=True,
    )
    if target == "alice":
        assert body["data"] == {"account": None}
        only_error(body, "FORBIDDEN", ["account"])
        assert await clean.calico.total() == 0
        assert await clean.mesh.total() == 0
    else:
        assert body["data"]["account"]["holdings"]["nodes"] == []
        only_error(body, "FORBIDDEN", ["account", "holdings"])
    assert_holds_nothing_of_alice(body)


@pytest.mark.parametrize(
    ("source", "headers"),
    [("MESH", {}), ("CALICO", {"X-Calico-Token": "sandbox-calico-alice"})],
    ids=["mesh", "calico-with-only-a-calico-token"],
)
async def test_custodial_data_without_a_bearer_token_is_unauthenticated(
    graph: GraphClient, clean: Sandboxes, source: str, headers: dict[str, str]
) -> None:
    body = await graph.query(ACCOUNT, {"source": source, "address": "alice"}, headers=headers)
    assert body["data"] == {"account": None}
    only_error(body, "UNAUTHENTICATED", ["account"])
    assert await clean.calico.total() == 0
    assert await clean.mesh.total() == 0


async def test_a_custodial_node_without_a_bearer_token_is_unauthenticated(
    graph: GraphClient, clean: Sandboxes
) -> None:
    alices = await custodial_ids(graph, "alice")
    await clean.reset()
    body = await graph.query(NODE, {"id": alices["mesh-position"]})
    assert body["data"] == {"node": None}
    only_error(body, "UNAUTHENTICATED", ["node"])
    assert await clean.mesh.total() == 0


# --- refused bearer tokens ----------------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def now() -> int:
    return int(datetime.now(UTC).timestamp())


def claims(user: str = "alice", **extra: Any) -> dict[str, Any]:
    return {"sub": user, "iat": now(), "exp": now() + 3600, **extra}


def hand_made(header: dict[str, Any], body: dict[str, Any], key: bytes | None) -> str:
    """A JWS built without PyJWT: HS256 under `key`, or an empty signature without one."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(body).encode())}"
    signature = b""
    if key is not None:
        signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def bearer(token: str) -> tuple[str, str]:
    return f"Bearer {token}", token


REFUSED: dict[str, tuple[Callable[[], tuple[str, str]], str]] = {
    "expired": (
        lambda: bearer(
            jwt.encode(claims(iat=now() - 7200, exp=now() - 3600), JWT_SECRET, algorithm="HS256")
        ),
        r"expired",
    ),
    "nbf-in-the-future": (
        lambda: bearer(jwt.encode(claims(nbf=now() + 3600), JWT_SECRET, algorithm="HS256")),
        r"not (yet )?valid|nbf|future|before",
    ),
    "wrong-signature": (
        lambda: bearer(jwt.encode(claims(), OTHER_SECRET, algorithm="HS256")),
        r"signature",
    ),
    "alg-none": (
        lambda: bearer(hand_made({"alg": "none", "typ": "JWT"}, claims(), None)),
        r"alg|HS256|none",
    ),
    "without-exp": (
        lambda: bearer(jwt.encode({"sub": "alice", "iat": now()}, JWT_SECRET, algorithm="HS256")),
        r"\bexp\b",
    ),
    "not-a-jwt": (
        lambda: bearer("opaque-session-token-8f3b2c1d9e7a"),
        r"JWT|malformed|well-formed|format",
    ),
    "basic-scheme": (
        lambda: ("Basic YWxpY2U6b3Blbi1zZXNhbWUtOTEy", "YWxpY2U6b3Blbi1zZXNhbWUtOTEy"),
        r"Authorization|scheme|Bearer <",
    ),
}


def assert_refused(body: dict[str, Any], token: str, reason: str | None = None) -> None:
    """`viewer` null with one UNAUTHENTICATED error saying why, the token nowhere in it."""
    assert body["data"] == {"viewer": None}
    error = only_error(body, "UNAUTHENTICATED", ["viewer"])
    if reason is not None:
        assert re.search(reason, error["message"], re.IGNORECASE), error["message"]
    text = json.dumps(body)
    for part in {token, *token.split(".")} - {""}:
        assert part not in text, f"the response echoes the token: {error['message']!r}"


@pytest.mark.parametrize("case", list(REFUSED))
async def test_a_refused_bearer_token_makes_viewer_null_with_the_reason(
    graph: GraphClient, case: str
) -> None:
    build, reason = REFUSED[case]
    authorization, token = build()
    body = await graph.query(VIEWER, headers={"Authorization": authorization})
    assert_refused(body, token, reason)


# --- RS256 and algorithm confusion --------------------------------------------------------------


@cache
def rsa_keys() -> tuple[bytes, str]:
    """(private key PEM, public key PEM) of a fresh RSA key pair."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode("ascii")


async def test_rs256_token_signed_with_the_private_key_is_accepted(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    private, public = rsa_keys()
    token = jwt.encode(claims(), private, algorithm="RS256")
    settings = sandboxes.settings(jwt_public_key=public, jwt_secret=None)
    async with serve_graph(settings, http) as rs256:
        data = await rs256.data(VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert data["viewer"]["userId"] == "alice"


async def test_hs256_token_keyed_with_the_public_key_pem_is_refused(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    _, public = rsa_keys()
    token = hand_made({"alg": "HS256", "typ": "JWT"}, claims(), public.encode("ascii"))
    settings = sandboxes.settings(jwt_public_key=public, jwt_secret=None)
    async with serve_graph(settings, http) as rs256:
        body = await rs256.query(VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert_refused(body, token, r"RS256|alg|signature")


# --- audience and issuer ------------------------------------------------------------------------


def audience_issuer_token(case: str) -> str:
    values = {"audience": AUDIENCE, "issuer": ISSUER}
    if case == "wrong-audience":
        values["audience"] = "some-other-api"
    elif case == "missing-audience":
        del values["audience"]
    elif case == "wrong-issuer":
        values["issuer"] = "https://attacker.example.test/"
    elif case == "missing-issuer":
        del values["issuer"]
    else:
        assert case == "right"
    return GraphClient.token("alice", **values)


async def test_a_token_with_the_configured_audience_and_issuer_is_accepted(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    token = audience_issuer_token("right")
    settings = sandboxes.settings(jwt_audience=AUDIENCE, jwt_issuer=ISSUER)
    async with serve_graph(settings, http) as checked:
        data = await checked.data(VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert data["viewer"]["userId"] == "alice"


@pytest.mark.parametrize(
    "case", ["wrong-audience", "missing-audience", "wrong-issuer", "missing-issuer"]
)
async def test_a_token_without_the_configured_audience_or_issuer_is_refused(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, case: str
) -> None:
    token = audience_issuer_token(case)
    settings = sandboxes.settings(jwt_audience=AUDIENCE, jwt_issuer=ISSUER)
    async with serve_graph(settings, http) as checked:
        body = await checked.query(VIEWER, headers={"Authorization": f"Bearer {token}"})
    reason = r"aud" if "audience" in case else r"iss"
    assert_refused(body, token, reason)
