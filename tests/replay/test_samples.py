"""Replays: every file of `../shared/upstream-samples` (copied into
`samples/`, what the four services really send) goes through its sandbox, as that sandbox's
`body` fault on the route that answers it, and through the server; each test asserts the graph's
exact answer, and the upstream requests it took where they matter.

Two samples answer routes the graph never calls (CardanoBI's policies route, Mesh's fiat
balances): each is replayed where the graph would meet one like it, on the neighbouring route
of the same upstream, and the answer says what the graph makes of it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.identifiers import fingerprint as cip14
from tests.harness import GraphClient, Sandboxes

SAMPLES = Path(__file__).parent / "samples"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "upstream-samples"

ALGOD_ASSETS = "GET /v2/accounts/{address}/assets"
ALGOD_ACCOUNT = "GET /v2/accounts/{address}"
ALGOD_ASSET = "GET /v2/assets/{asset_id}"
CARDANOBI_ASSETS = "GET /api/core/accounts/{stake_address}/assets"
CARDANOBI_ACCOUNT = "GET /api/core/accounts/{stake_address}"
CARDANOBI_ASSET = "GET /api/core/assets/{fingerprint}"
CALICO_ASSETS = "GET /accounts/v2/assets"
CALICO_REFRESH = "POST /platform/v1/assets/refresh"
MESH_PORTFOLIO = "GET /api/v1/holdings/portfolio"

ALGORAND = "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"
CARDANO = "cip34:1-764824073"

ASSET = "kind symbol name nameHex decimals chainId caip19 assetId policyId fingerprint"
#: The failures of a holdings list are read as data (`errors`), so the response has no GraphQL
#: error for them (`schema/soft.py`).
HOLDINGS = f"""
query($source: Source!, $address: String!, $first: Int) {{
  account(source: $source, address: $address) {{
    holdings(first: $first) {{
      nodes {{
        amount rawAmount stakedAmount isFrozen priceUsd valueUsd walletAddress round
        provider {{ slug }} asset {{ {ASSET} }}
      }}
      pageInfo {{ hasNextPage }}
      complete
      errors {{ source code message account {{ source address }} }}
    }}
  }}
}}
"""
POSITIONS = """
query($address: String!) {
  account(source: MESH, address: $address) {
    positions(first: 20) {
      nodes {
        kind symbol name amount costBasis marketValue lastPrice portfolioPercentage
        totalReturn returnPercentage totalDailyReturn dailyReturnPercentage
        distribution { chainId address amount }
      }
      totalCount
    }
  }
}
"""
ASSET_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Asset {{ {ASSET} }} }} }}"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def _error(code: str, message: str, source: str, address: str) -> dict[str, Any]:
    return {
        "source": source,
        "code": code,
        "message": message,
        "account": {"source": source, "address": address},
    }


async def _holdings(
    graph: GraphClient, source: str, address: str, first: int = 100, **kw: Any
) -> dict[str, Any]:
    body = await graph.query(HOLDINGS, {"source": source, "address": address, "first": first}, **kw)
    return body


def test_every_sample_is_replayed_here() -> None:
    copied = {p.name for p in SAMPLES.iterdir()}
    assert len(copied) == 17
    replayed = {name for name in copied if f'"{name}"' in Path(__file__).read_text()}
    assert replayed == copied, copied - replayed


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared samples live beside the project")
def test_the_copies_are_the_shared_samples() -> None:
    shared = {p.name for p in SHARED.iterdir() if p.is_file() and p.name != "README.md"}
    assert {p.name for p in SAMPLES.iterdir()} == shared, "a sample came or went: replay it"
    for name in shared:
        assert (SAMPLES / name).read_bytes() == (SHARED / name).read_bytes(), name


# --- algod ---------------------------------------------------------------------------------------


async def test_algod_account_assets_sdk_fixture(graph: GraphClient, clean: Sandboxes) -> None:
    # Two holdings without asset-params and a next-token: the next page comes from the sandbox
    # (nothing more for this account), so the list ends after them.
    await clean.algod.faults(
        body=sample("algod_accountAssetsInformation_sdk-testing.json"), route=ALGOD_ASSETS, count=1
    )
    body = await _holdings(graph, "ALGORAND", algod_data.EMPTY, 10)
    no_params = {
        "kind": "FUNGIBLE",
        "symbol": None,
        "name": None,
        "nameHex": None,
        "decimals": None,
        "chainId": ALGORAND,
        "policyId": None,
        "fingerprint": None,
    }
    holding = {
        "stakedAmount": None,
        "priceUsd": None,
        "valueUsd": None,
        "walletAddress": algod_data.EMPTY,
        "round": "7500000",
        "provider": {"slug": "algorand"},
    }
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    "nodes": [
                        {
                            "amount": "0.1",
                            "rawAmount": "100000",
                            "isFrozen": None,
                            **holding,
                            "round": str(algod_data.ROUND),
                            "asset": {
                                "kind": "NATIVE",
                                "symbol": "ALGO",
                                "name": "Algo",
                                "nameHex": None,
                                "decimals": 6,
                                "chainId": ALGORAND,
                                "caip19": f"{ALGORAND}/slip44:283",
                                "assetId": None,
                                "policyId": None,
                                "fingerprint": None,
                            },
                        },
                        {
                            "amount": "1000",
                            "rawAmount": "1000",
                            "isFrozen": False,
                            **holding,
                            "asset": {
                                **no_params,
                                "caip19": f"{ALGORAND}/asa:123",
                                "assetId": "123",
                            },
                        },
                        {
                            "amount": "500",
                            "rawAmount": "500",
                            "isFrozen": True,
                            **holding,
                            "asset": {
                                **no_params,
                                "caip19": f"{ALGORAND}/asa:456",
                                "assetId": "456",
                            },
                        },
                    ],
                    "pageInfo": {"hasNextPage": False},
                    "complete": True,
                    "errors": [],
                }
            }
        }
    }
    # The sample's page, then the page after `next-token` 456.
    assert await clean.algod.routes(ALGOD_ASSETS) == {"200": 2}


async def test_algod_account_information_sdk_fixture(graph: GraphClient, clean: Sandboxes) -> None:
    address = "ALGORANDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIN5DNAU"
    await clean.algod.faults(
        body=sample("algod_accountInformation_sdk-testing.json"), route=ALGOD_ACCOUNT
    )
    query = """query($address: String!) { account(source: ALGORAND, address: $address) {
      holdings(first: 5) { nodes { amount rawAmount round asset { symbol } } totalCount complete }
    } }"""
    body = await graph.query(query, {"address": address})
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    "nodes": [
                        {
                            "amount": "1.5",
                            "rawAmount": "1500000",
                            "round": "6222133",
                            "asset": {"symbol": "ALGO"},
                        }
                    ],
                    "totalCount": 1,  # total-assets-opted-in 0, and ALGO
                    "complete": True,
                }
            }
        }
    }


async def _asset_id(graph: GraphClient, source: str, address: str, key: str, value: str) -> str:
    """The graph's id of the asset whose `key` is `value` among `address`'s holdings."""
    query = """query($source: Source!, $address: String!) {
      account(source: $source, address: $address) {
        holdings(first: 100) { nodes { asset { id assetId fingerprint } } }
      }
    }"""
    body = await graph.data(query, {"source": source, "address": address})
    nodes = body["account"]["holdings"]["nodes"]
    asset_id: str = next(n["asset"]["id"] for n in nodes if n["asset"][key] == value)
    return asset_id


async def test_algod_usdc_captured_on_mainnet(graph: GraphClient, clean: Sandboxes) -> None:
    asset = await _asset_id(graph, "ALGORAND", algod_data.SMALL, "assetId", str(algod_data.USDC_ID))
    await clean.algod.faults(
        body=sample("algod_asset_usdc_mainnet_algobase.json"), route=ALGOD_ASSET
    )
    body = await graph.query(ASSET_NODE, {"id": asset})
    assert body == {
        "data": {
            "node": {
                "kind": "FUNGIBLE",
                "symbol": "USDC",
                "name": "USDC",
                "nameHex": "55534443",
                "decimals": 6,
                "chainId": ALGORAND,
                "caip19": f"{ALGORAND}/asa:31566704",
                "assetId": "31566704",
                "policyId": None,
                "fingerprint": None,
            }
        }
    }
    assert await clean.algod.routes(ALGOD_ASSET) == {"200": 1}


# --- CardanoBI -----------------------------------------------------------------------------------


def _token(item: dict[str, Any]) -> dict[str, Any]:
    """What the graph must show of one AccountAssetDTO: the served name verifies (CIP-14 over
    policy and name) or the token is known by its fingerprint alone; none here has a CIP-68
    label."""
    policy, name, fp = item["policy_hex"], item["name"], item["fingerprint"]
    raw = name.encode()
    verified = cip14(bytes.fromhex(policy), raw) == fp
    assert not raw.startswith(b"\x00")
    return {
        "amount": str(item["quantity"]),
        "rawAmount": str(item["quantity"]),
        "stakedAmount": None,
        "isFrozen": None,
        "priceUsd": None,
        "valueUsd": None,
        "round": None,
        "provider": {"slug": "cardano"},
        "asset": {
            "kind": "FUNGIBLE",
            "symbol": None,
            "name": name if verified and name.isprintable() and name else None,
            "nameHex": raw.hex() if verified and raw else None,
            "decimals": None,
            "chainId": CARDANO,
            "caip19": f"{CARDANO}/token:{policy}.{raw.hex()}" if verified else None,
            "assetId": None,
            "policyId": policy,
            "fingerprint": fp,
        },
    }


async def test_cardanobi_first_100_tokens_captured_on_mainnet(
    graph: GraphClient, clean: Sandboxes
) -> None:
    address = "stake1uyq4f9rye96ywptukdypkdu69gc4sd34hwzd940pxslczhc7n5vyt"
    text = sample("cardanobi_accounts_assets_python_sdk.json")
    await clean.cardanobi.faults(body=text, route=CARDANOBI_ASSETS)
    body = await _holdings(graph, "CARDANO", address)
    served = json.loads(text)
    assert len(served) == 100
    cut = (
        f"CardanoBI answered only the first 100 tokens of {address} (by fingerprint) and "
        "ignored the options that page further; the rest are missing"
    )
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    # The sandbox does not know the account: no ADA (404), the 100 tokens as sent.
                    "nodes": [{**_token(item), "walletAddress": address} for item in served],
                    "pageInfo": {"hasNextPage": False},
                    "complete": False,
                    "errors": [_error("HOLDINGS_INCOMPLETE", cut, "CARDANO", address)],
                }
            }
        },
    }
    names = [node["asset"]["name"] for node in body["data"]["account"]["holdings"]["nodes"]]
    assert names[:3] == ["NEWM", "517", "SNEK"]
    # 100 came where 99 were asked: the cut is known from this one answer.
    assert await clean.cardanobi.count(CARDANOBI_ASSETS, "200") == 1
    assert await clean.cardanobi.count(CARDANOBI_ACCOUNT, "404") == 1


async def test_cardanobi_docs_example_with_its_placeholder(
    graph: GraphClient, clean: Sandboxes
) -> None:
    await clean.cardanobi.faults(
        body=sample("cardanobi_accounts_assets_docs_example.json"), route=CARDANOBI_ASSETS
    )
    address = cardano_data.SMALL
    body = await _holdings(graph, "CARDANO", address)
    served = json.loads(sample("cardanobi_accounts_assets_docs_example.json"))
    bad = (
        f"CardanoBI answered with an unexpected shape: the tokens of {address}[1] is not a "
        "JSON object"
    )
    holdings = body["data"]["account"]["holdings"]
    ada = holdings["nodes"][0]
    assert (ada["asset"]["symbol"], ada["rawAmount"]) == ("ADA", str(cardano_data.SMALL_ADA))
    assert holdings == {
        "nodes": [
            ada,
            *({**_token(item), "walletAddress": address} for item in (served[0], served[2])),
        ],
        "pageInfo": {"hasNextPage": False},
        "complete": False,
        "errors": [_error("UPSTREAM_BAD_RESPONSE", bad, "CARDANO", address)],
    }
    assert [n["asset"]["name"] for n in holdings["nodes"][1:]] == ["NEWM", "Cardabbean01136"]
    assert "errors" not in body  # read as data (`holdings.errors`), not repeated


async def test_cardanobi_account_captured_on_mainnet(graph: GraphClient, clean: Sandboxes) -> None:
    address = "stake1u8a9qstrmj4rvc3k5z8fems7f0j2vztz8det2klgakhfc8ce79fma"
    await clean.cardanobi.faults(
        body=sample("cardanobi_accounts_with_specific_params_python_sdk.json"),
        route=CARDANOBI_ACCOUNT,
    )
    body = await _holdings(graph, "CARDANO", address, 5)
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    "nodes": [
                        {
                            "amount": "133228.664564",
                            "rawAmount": "133228664564",
                            "stakedAmount": None,
                            "isFrozen": None,
                            "priceUsd": None,
                            "valueUsd": None,
                            "walletAddress": address,
                            "round": None,
                            "provider": {"slug": "cardano"},
                            "asset": {
                                "kind": "NATIVE",
                                "symbol": "ADA",
                                "name": "Ada",
                                "nameHex": None,
                                "decimals": 6,
                                "chainId": CARDANO,
                                "caip19": f"{CARDANO}/slip44:1815",
                                "assetId": None,
                                "policyId": None,
                                "fingerprint": None,
                            },
                        }
                    ],
                    "pageInfo": {"hasNextPage": False},
                    "complete": True,
                    "errors": [],
                }
            }
        }
    }


async def test_cardanobi_unknown_asset_answers_an_empty_list(
    graph: GraphClient, clean: Sandboxes
) -> None:
    token = cardano_data.tokens()[cardano_data.SMALL][0]
    asset = await _asset_id(graph, "CARDANO", cardano_data.SMALL, "fingerprint", token.fingerprint)
    await clean.cardanobi.faults(
        body=sample("cardanobi_assets_with_specific_params_python_sdk.json"), route=CARDANOBI_ASSET
    )
    assert await graph.query(ASSET_NODE, {"id": asset}) == {"data": {"node": None}}
    assert await clean.cardanobi.count(CARDANOBI_ASSET, "200") == 1


async def test_cardanobi_policies_list_where_the_asset_list_belongs(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # The graph never asks for policies; a list of the same DTO family in the asset route's
    # place lacks what an asset must have, and says so.
    token = cardano_data.tokens()[cardano_data.SMALL][0]
    asset = await _asset_id(graph, "CARDANO", cardano_data.SMALL, "fingerprint", token.fingerprint)
    await clean.cardanobi.faults(
        body=sample("cardanobi_assets_policies_with_specific_params_python_sdk.json"),
        route=CARDANOBI_ASSET,
    )
    body = await graph.query(ASSET_NODE, {"id": asset})
    message = (
        "CardanoBI answered with an unexpected shape: the asset "
        f"{token.fingerprint}[0]: field 'policy_hex' is missing"
    )
    assert body == {
        "data": {"node": None},
        "errors": [
            {
                "message": message,
                "locations": [{"line": 1, "column": 19}],
                "path": ["node"],
                "extensions": {"code": "UPSTREAM_BAD_RESPONSE", "source": "CARDANO"},
            }
        ],
    }


@pytest.mark.parametrize(
    ("name", "status", "code", "message"),
    [
        (
            "cardanobi_nginx_402.html",
            402,
            "UPSTREAM_QUOTA_EXCEEDED",
            "CardanoBI says the API key's quota is used up (HTTP 402)",
        ),
        (
            "cardanobi_nginx_403.html",
            403,
            "UPSTREAM_UNAUTHORIZED",
            "CardanoBI refused the credentials (HTTP 403)",
        ),
    ],
)
async def test_cardanobi_gateway_pages(
    graph: GraphClient, clean: Sandboxes, name: str, status: int, code: str, message: str
) -> None:
    await clean.cardanobi.faults(
        body=sample(name), content_type="text/html", status=status, path="/api/core"
    )
    address = cardano_data.SMALL
    body = await _holdings(graph, "CARDANO", address)
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    "nodes": [],
                    "pageInfo": {"hasNextPage": False},
                    "complete": False,
                    "errors": [_error(code, message, "CARDANO", address)],
                }
            }
        },
    }


# --- Calico --------------------------------------------------------------------------------------


async def test_calico_reference_doc_assets(graph: GraphClient, clean: Sandboxes) -> None:
    # The doc's page carries a next cursor of its own making: the page after it comes from the
    # sandbox, which refuses a cursor it did not issue; the page read is kept.
    await clean.calico.faults(
        body=sample("calico_assets_v2_refdoc_example.json"), route=CALICO_ASSETS, count=1
    )
    body = await _holdings(graph, "CALICO", "alice", 10, user="alice", calico=True)
    provider = "Calico could not read provider 'string': bad_request"
    refused = "Calico answered HTTP 400, which a valid request should not get"
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    "nodes": [
                        {
                            "amount": "0",
                            "rawAmount": None,
                            "stakedAmount": "0",
                            "isFrozen": None,
                            "priceUsd": "0",
                            "valueUsd": "0",
                            "walletAddress": "string",
                            "round": None,
                            "provider": {"slug": "coinbase"},
                            "asset": {
                                "kind": "FUNGIBLE",
                                "symbol": "string",
                                "name": None,
                                "nameHex": None,
                                "decimals": None,
                                "chainId": "eip155:1",
                                "caip19": None,
                                "assetId": None,
                                "policyId": None,
                                "fingerprint": None,
                            },
                        }
                    ],
                    "pageInfo": {"hasNextPage": True},
                    "complete": False,
                    "errors": [
                        _error("UPSTREAM_BAD_RESPONSE", refused, "CALICO", "alice"),
                        {**_error("PROVIDER_ERROR", provider, "CALICO", "alice")},
                    ],
                }
            }
        },
    }
    assert await clean.calico.routes(CALICO_ASSETS) == {"200": 1, "400": 1}


async def test_calico_reference_doc_refresh(graph: GraphClient, clean: Sandboxes) -> None:
    await clean.calico.faults(
        body=sample("calico_refresh_v1_refdoc_example.json"), route=CALICO_REFRESH
    )
    mutation = "mutation { refreshHoldings(source: CALICO) { source accepted retryAfterSeconds } }"
    body = await graph.query(mutation, user="alice", calico=True)
    assert body == {
        "data": {
            "refreshHoldings": {"source": "CALICO", "accepted": True, "retryAfterSeconds": None}
        }
    }


# --- Mesh ----------------------------------------------------------------------------------------


def _position(item: dict[str, Any], kind: str) -> dict[str, Any]:
    """What the graph must show of one PositionWithReturn: every number as written."""

    def text(key: str) -> str | None:
        value = item.get(key)
        return None if value is None else str(value)

    return {
        "kind": kind,
        "symbol": item["symbol"],
        "name": item.get("companyName"),
        "amount": text("amount"),
        "costBasis": text("costBasis"),
        "marketValue": text("marketValue"),
        "lastPrice": text("lastPrice"),
        "portfolioPercentage": text("portfolioPercentage"),
        "totalReturn": text("totalReturn"),
        "returnPercentage": text("returnPercentage"),
        "totalDailyReturn": text("totalDailyReturn"),
        "dailyReturnPercentage": text("dailyReturnPercentage"),
        "distribution": [
            {"chainId": d["caipNetworkId"], "address": d["address"], "amount": str(d["amount"])}
            for d in item.get("distribution", [])
        ],
    }


@pytest.mark.parametrize(
    "name",
    [
        "mesh_portfolio_cex_example_spec.json",
        "mesh_portfolio_docs_variant_teamCode.json",
        "mesh_portfolio_selfcustody_example_spec.json",
    ],
)
async def test_mesh_portfolio_examples(graph: GraphClient, clean: Sandboxes, name: str) -> None:
    text = sample(name)
    await clean.mesh.faults(body=text, route=MESH_PORTFOLIO)
    body = await graph.query(POSITIONS, {"address": "bob"}, user="bob")
    content = json.loads(text, parse_float=Decimal)["content"]
    expected = [
        *(_position(p, "EQUITY") for p in content["equityPositions"]),
        *(_position(p, "CRYPTOCURRENCY") for p in content["cryptocurrencyPositions"]),
    ]
    assert body == {
        "data": {"account": {"positions": {"nodes": expected, "totalCount": len(expected)}}}
    }
    assert any(p["totalReturn"].startswith("-") for p in expected)  # losses, kept signed


async def test_mesh_fiat_balances_where_the_portfolio_belongs(
    graph: GraphClient, clean: Sandboxes
) -> None:
    # The graph never asks for fiat balances (negative cash); an `ok` answer whose content has
    # no position list and none of the aggregates is an empty portfolio, not a failure.
    await clean.mesh.faults(
        body=sample("mesh_balance_portfolio_example_spec_negative_cash.json"), route=MESH_PORTFOLIO
    )
    body = await _holdings(graph, "MESH", "bob", user="bob")
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    "nodes": [],
                    "pageInfo": {"hasNextPage": False},
                    "complete": True,
                    "errors": [],
                }
            }
        }
    }


async def test_mesh_400_example_that_claims_ok(graph: GraphClient, clean: Sandboxes) -> None:
    await clean.mesh.faults(
        body=sample("mesh_portfolio_400_example_spec.json"), status=400, route=MESH_PORTFOLIO
    )
    body = await _holdings(graph, "MESH", "bob", user="bob")
    message = "Mesh answered HTTP 400 with status 'ok'"
    assert body == {
        "data": {
            "account": {
                "holdings": {
                    "nodes": [],
                    "pageInfo": {"hasNextPage": False},
                    "complete": False,
                    "errors": [_error("UPSTREAM_BAD_RESPONSE", message, "MESH", "bob")],
                }
            }
        },
    }
