"""Errors per SCHEMA.md's table, on the field that failed, with the rest of the response intact;
bad input refused before any upstream call, naming the bad value."""

from __future__ import annotations

import aiohttp

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from tests.graph.support import ALGOD_ASSETS, CALICO_ASSETS, codes
from tests.harness import GraphClient, Sandboxes, serve_graph

WHALE, COLLECTOR = algod_data.WHALE, cardano_data.COLLECTOR

TWO_ACCOUNTS = """
query($algo: String!, $ada: String!) {
  algo: account(source: ALGORAND, address: $algo) {
    address holdings(first: 2) { edges { node { amount } } }
  }
  ada: account(source: CARDANO, address: $ada) {
    address holdings(first: 2) { edges { node { amount } } }
  }
}
"""

VIEWER = """
{ viewer { userId accounts { source holdings(first: 100) { edges { node { asset { symbol } } } }
  positions(first: 5) { edges { node { symbol } } } } } }
"""


def _bad_checksum(address: str) -> str:
    """The same address with one character changed, so only the checksum is wrong."""
    swap = "B" if address[10] != "B" else "C"
    return address[:10] + swap + address[11:]


def _error(body: dict, code: str) -> dict:
    matching = [e for e in body.get("errors", []) if e["extensions"]["code"] == code]
    assert len(matching) == 1, body.get("errors")
    return matching[0]


async def test_an_algorand_address_with_a_bad_checksum_is_refused_naming_it(
    graph: GraphClient, clean: Sandboxes
) -> None:
    bad = _bad_checksum(WHALE)
    body = await graph.query(TWO_ACCOUNTS, {"algo": bad, "ada": COLLECTOR})
    error = _error(body, "BAD_USER_INPUT")
    assert bad in error["message"] and "checksum" in error["message"]
    assert error["path"] == ["algo"]
    assert body["data"]["algo"] is None
    assert body["data"]["ada"]["holdings"]["edges"], "the other account must still answer"
    assert await clean.algod.total() == 0


async def test_a_stake_address_with_a_bad_checksum_is_refused_naming_it(
    graph: GraphClient, clean: Sandboxes
) -> None:
    bad = COLLECTOR[:-1] + ("q" if COLLECTOR[-1] != "q" else "p")
    body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": bad})
    error = _error(body, "BAD_USER_INPUT")
    assert bad in error["message"] and "checksum" in error["message"]
    assert body["data"]["algo"]["holdings"]["edges"]
    assert await clean.cardanobi.total() == 0


async def test_a_stake_address_of_another_network_is_refused(
    graph: GraphClient, clean: Sandboxes
) -> None:
    testnet = stake_address(bytes(range(28)), CARDANO_NETWORKS["preprod"])
    body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": testnet})
    error = _error(body, "BAD_USER_INPUT")
    assert testnet in error["message"] and "mainnet" in error["message"]
    assert await clean.cardanobi.total() == 0


async def test_one_bad_ref_fails_only_its_own_slot(graph: GraphClient, clean: Sandboxes) -> None:
    query = """query($refs: [AccountRef!]!) {
      accounts(refs: $refs) { address holdings(first: 1) { edges { node { amount } } } } }"""
    refs = [
        {"source": "ALGORAND", "address": WHALE},
        {"source": "ALGORAND", "address": "not-an-address"},
        {"source": "CARDANO", "address": COLLECTOR},
    ]
    body = await graph.query(query, {"refs": refs})
    accounts = body["data"]["accounts"]
    assert accounts[0]["address"] == WHALE and accounts[2]["address"] == COLLECTOR
    assert accounts[1] is None
    error = _error(body, "BAD_USER_INPUT")
    assert error["path"] == ["accounts", 1] and "not-an-address" in error["message"]
    assert await clean.algod.count(ALGOD_ASSETS) == 1


async def test_alices_failing_binance_is_one_provider_error_beside_her_holdings(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(VIEWER, user="alice", calico=True)
    error = _error(body, "PROVIDER_ERROR")
    assert error["extensions"] == {
        "code": "PROVIDER_ERROR",
        "source": "CALICO",
        "provider": "binance",
        "cause": "unauthorized",
    }
    assert error["path"] == ["viewer", "accounts", 0, "holdings"]
    calico, mesh = body["data"]["viewer"]["accounts"]
    assert len(calico["holdings"]["edges"]) == 75
    assert mesh["positions"]["edges"]
    assert codes(body) == ["PROVIDER_ERROR"]


async def test_a_failing_upstream_fails_only_its_field(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(status=503)
    body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": COLLECTOR})
    error = _error(body, "UPSTREAM_UNAVAILABLE")
    assert error["extensions"]["source"] == "ALGORAND"
    assert error["path"] == ["algo", "holdings"]
    assert body["data"]["algo"]["address"] == WHALE
    assert body["data"]["algo"]["holdings"]["edges"] == []
    assert len(body["data"]["ada"]["holdings"]["edges"]) == 2


async def test_a_rate_limited_upstream_says_when_to_retry(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(status=429, retry_after=7)
    body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": COLLECTOR})
    error = _error(body, "UPSTREAM_RATE_LIMITED")
    assert error["extensions"]["retryAfterSeconds"] == 7
    assert error["extensions"]["source"] == "ALGORAND"


async def test_cardanobi_quota_exhausted_is_its_own_code(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.cardanobi.faults(status=402, path="/api/core")
    body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": COLLECTOR})
    error = _error(body, "UPSTREAM_QUOTA_EXCEEDED")
    assert error["extensions"]["source"] == "CARDANO"
    assert len(body["data"]["algo"]["holdings"]["edges"]) == 2


async def test_a_malformed_mesh_answer_is_a_bad_response_and_calico_still_answers(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.mesh.faults(malformed=True)
    body = await graph.query(VIEWER, user="alice", calico=True)
    failed = [e for e in body["errors"] if e["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE"]
    assert {e["extensions"]["source"] for e in failed} == {"MESH"}
    assert sorted(e["path"][-1] for e in failed) == ["holdings", "positions"]
    assert all(e["path"][:3] == ["viewer", "accounts", 1] for e in failed)
    calico = body["data"]["viewer"]["accounts"][0]
    assert len(calico["holdings"]["edges"]) == 75


async def test_a_refused_calico_token_is_upstream_unauthorized(
    graph: GraphClient, clean: Sandboxes
) -> None:
    body = await graph.query(VIEWER, user="alice", calico="not-a-calico-token")
    error = _error(body, "UPSTREAM_UNAUTHORIZED")
    assert error["extensions"]["source"] == "CALICO"
    assert "not-a-calico-token" not in str(body)
    assert body["data"]["viewer"]["accounts"][1]["positions"]["edges"]


async def test_wrong_server_credentials_are_upstream_unauthorized(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    settings = sandboxes.settings(mesh_client_secret="wrong-secret", algod_token="wrong-token")
    async with serve_graph(settings, http) as graph:
        body = await graph.query(
            VIEWER.replace(
                "{ viewer",
                f'{{ account(source: ALGORAND, address: "{WHALE}") '
                "{ holdings(first: 1) { totalCount } } viewer",
            ),
            user="alice",
        )
    by_source = {e["extensions"]["source"]: e for e in body["errors"]}
    assert by_source["MESH"]["extensions"]["code"] == "UPSTREAM_UNAUTHORIZED"
    assert by_source["ALGORAND"]["extensions"]["code"] == "UPSTREAM_UNAUTHORIZED"
    assert "wrong-secret" not in str(body) and "wrong-token" not in str(body)


async def test_a_slow_upstream_times_out_within_its_timeout(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await sandboxes.reset()
    await sandboxes.algod.faults(latency_ms=3000)
    try:
        settings = sandboxes.settings(upstream_timeout_seconds=0.3)
        async with serve_graph(settings, http) as graph:
            body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": COLLECTOR})
    finally:
        await sandboxes.reset()
    error = _error(body, "UPSTREAM_TIMEOUT")
    assert error["extensions"]["source"] == "ALGORAND"
    assert len(body["data"]["ada"]["holdings"]["edges"]) == 2


async def test_a_dropped_connection_is_upstream_unavailable(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(drop=True)
    body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": COLLECTOR})
    assert _error(body, "UPSTREAM_UNAVAILABLE")["extensions"]["source"] == "ALGORAND"


async def test_a_node_without_the_assets_route_says_so(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.algod.faults(status=404, path="/assets")
    body = await graph.query(TWO_ACCOUNTS, {"algo": WHALE, "ada": COLLECTOR})
    error = _error(body, "UPSTREAM_UNAVAILABLE")
    assert "v4.6.0" in error["message"]


async def test_calico_holdings_need_the_users_calico_token(
    graph: GraphClient, clean: Sandboxes
) -> None:
    query = '{ account(source: CALICO, address: "alice") { address } }'
    body = await graph.query(query, user="alice")
    assert body["data"]["account"] is None
    error = _error(body, "UNAUTHENTICATED")
    assert "X-Calico-Token" in error["message"] and error["path"] == ["account"]
    assert await clean.calico.count(CALICO_ASSETS) == 0


async def test_a_syntax_error_is_a_parse_failure(graph: GraphClient) -> None:
    _, body = await graph.post("{ account(source: ALGORAND ")
    assert codes(body) == ["GRAPHQL_PARSE_FAILED"]


async def test_an_unknown_field_is_a_validation_failure(graph: GraphClient) -> None:
    _, body = await graph.post("{ viewer { password } }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "password" in body["errors"][0]["message"]


async def test_a_variable_of_the_wrong_type_is_bad_user_input(graph: GraphClient) -> None:
    query = "query($first: Int) { providers(first: $first) { totalCount } }"
    _, body = await graph.post(query, {"first": "ten"})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "ten" in body["errors"][0]["message"]


async def test_an_upstream_answer_over_the_body_limit_is_a_bad_response(
    sandboxes: Sandboxes, http: aiohttp.ClientSession
) -> None:
    await sandboxes.reset()
    async with serve_graph(sandboxes.settings(upstream_max_body_bytes=4096), http) as graph:
        body = await graph.query(
            "query($a: String!) { account(source: ALGORAND, address: $a) "
            "{ holdings(first: 100) { edges { node { amount } } } } }",
            {"a": WHALE},
        )
    error = _error(body, "UPSTREAM_BAD_RESPONSE")
    assert "4096" in error["message"]
