"""Identifiers (issue point 8): CAIP-2 chain ids, CAIP-19 asset ids, CIP-14 fingerprints, and
global ids that round-trip through `node` and `nodes`.

Expectations come from the sandboxes' data sets and from the standards (CAIP-2, CAIP-19, CIP-14,
CIP-34), never from the server's code. Ids are opaque: no test reads their internal format, but
for the one that must forge an id naming an unknown type (see `_renamed`).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.identifiers import bech32_encode
from tests.graph.support import codes, tokens_after_native, walk_holdings
from tests.harness import GraphClient, Sandboxes

ALGORAND_CHAIN = "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"
CARDANO_CHAIN = "cip34:1-764824073"
PROVIDER_ERROR = frozenset({"PROVIDER_ERROR"})

WHALE_IDS = [str(h.asset_id) for h in algod_data.account_holdings(algod_data.WHALE)]
COLLECTOR_TOKENS = {t.fingerprint: t for t in cardano_data.tokens()[cardano_data.COLLECTOR]}


def _served_name_reproduces_fingerprint(token: cardano_data.TokenData) -> bool:
    """CIP-14 over the policy id and the name CardanoBI serves (UTF-8 encoded) gives back the
    real fingerprint: only then do the served name's bytes name the token."""
    digest = hashlib.blake2b(
        bytes.fromhex(token.policy_hex) + token.name.encode("utf-8"), digest_size=20
    ).digest()
    return bech32_encode("asset", digest) == token.fingerprint


VERIFIABLE = {fp: t for fp, t in COLLECTOR_TOKENS.items() if _served_name_reproduces_fingerprint(t)}
BINARY_NAMED = {
    fp: t for fp, t in COLLECTOR_TOKENS.items() if not _served_name_reproduces_fingerprint(t)
}
CIP68 = {
    cardano_data.CIP68_REFERENCE_LABEL: "NFT",  # CIP-68 label 100
    cardano_data.CIP68_NFT_LABEL: "NFT",  # 222
    cardano_data.CIP68_FT_LABEL: "FUNGIBLE",  # 333
    cardano_data.CIP68_RFT_LABEL: "FUNGIBLE",  # 444
}


def expected_name(token: cardano_data.TokenData) -> tuple[str | None, str]:
    """(name, kind) a token must show, from its raw bytes and CIP-68 alone: the bytes after a
    CIP-68 label and the label's kind, else the whole name (printable, non-empty) and FUNGIBLE."""
    label = token.name_bytes[:4]
    rest = token.name_bytes[4:] if label in CIP68 else token.name_bytes
    try:
        text: str | None = rest.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    name = text if text and text.isprintable() else None
    return name, CIP68.get(label, "FUNGIBLE")


# Every query spreads `NodeF` wherever it selects a node, so an object is read with exactly the
# same fields where it is first seen and through `node`/`nodes`. Fields of one name but different
# types in two node types are aliased, as GraphQL requires when both are selected together.
FRAGMENTS = """
fragment AccountF on Account { __typename id source address chainId }
fragment ProviderF on Provider {
  __typename id slug providerName: name providerKind: kind sources
}
fragment AssetF on Asset {
  __typename id kind symbol name nameHex decimals chainId caip19 assetId policyId fingerprint
}
fragment HoldingF on AssetHolding {
  __typename id amount rawAmount stakedAmount isFrozen priceUsd valueUsd walletAddress fetchedAt
  account { ...AccountF } asset { ...AssetF } provider { ...ProviderF }
}
fragment PositionF on Position {
  __typename id positionKind: kind symbol name amount costBasis marketValue lastPrice
  portfolioPercentage
  totalReturn returnPercentage totalDailyReturn dailyReturnPercentage
  distribution { chainId address amount }
  account { ...AccountF }
}
fragment NodeF on Node { ...AccountF ...ProviderF ...AssetF ...HoldingF ...PositionF }
"""

NODE = "query Node($id: ID!) { node(id: $id) { ...NodeF } }" + FRAGMENTS
NODES = "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { ...NodeF } }" + FRAGMENTS

HOLDINGS = (
    """
query Holdings($source: Source!, $address: String!, $first: Int, $after: String,
               $filter: HoldingFilter) {
  account(source: $source, address: $address) {
    ...NodeF
    holdings(first: $first, after: $after, filter: $filter) {
      nodes { ...NodeF }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
    + FRAGMENTS
)

VIEWER = (
    """
query Viewer {
  viewer {
    accounts {
      ...NodeF
      holdings(first: 100) { nodes { ...NodeF } pageInfo { hasNextPage } }
      positions(first: 100) { nodes { ...NodeF } pageInfo { hasNextPage } }
      providers { ...NodeF }
    }
  }
}
"""
    + FRAGMENTS
)

PROVIDERS = "query { providers(first: 100) { nodes { ...NodeF } } }" + FRAGMENTS


# --- what the graph shows where an object is first seen ---------------------------------------


async def _onchain_page(
    graph: GraphClient,
    source: str,
    address: str,
    *,
    page: int = 1,
    first: int = 100,
    filter: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The account and its holdings' `page`-th page (1-based), every node read with `NodeF`."""
    after = None
    for _ in range(page):
        variables = {
            "source": source,
            "address": address,
            "first": first,
            "after": after,
            "filter": filter,
        }
        account = (await graph.data(HOLDINGS, variables))["account"]
        after = account["holdings"]["pageInfo"]["endCursor"]
    return dict(account)


async def _alice(graph: GraphClient) -> dict[str, dict[str, Any]]:
    """Alice's custodial accounts (CALICO with her Calico token, MESH), by source."""
    body = await graph.query(VIEWER, user="alice", calico=True)
    assert set(codes(body)) <= PROVIDER_ERROR, body["errors"]
    accounts = {account["source"]: account for account in body["data"]["viewer"]["accounts"]}
    assert set(accounts) == {"CALICO", "MESH"}
    for account in accounts.values():
        assert account["holdings"]["pageInfo"]["hasNextPage"] is False
        assert account["positions"]["pageInfo"]["hasNextPage"] is False
    return accounts


def _holding(account: dict[str, Any], **where: Any) -> dict[str, Any]:
    """The one holding of `account` whose fields (dotted for nested ones) equal `where`."""

    def value(node: dict[str, Any], dotted: str) -> Any:
        for part in dotted.split("."):
            node = node[part]
        return node

    found = [
        node
        for node in account["holdings"]["nodes"]
        if all(value(node, key.replace("__", ".")) == want for key, want in where.items())
    ]
    assert len(found) == 1, (where, found)
    return dict(found[0])


def _stable(node: dict[str, Any] | None) -> dict[str, Any] | None:
    """`node` without what may change between reads: `fetchedAt` where it is the time the graph
    received the data (every source but Calico, which says when it read the holding)."""
    if node is None or node.get("__typename") != "AssetHolding":
        return node
    if node["account"]["source"] == "CALICO":
        return node
    return {key: value for key, value in node.items() if key != "fetchedAt"}


async def _assert_round_trip(graph: GraphClient, seen: list[dict[str, Any]], **auth: Any) -> None:
    """`node(id:)` gives back each object as first seen (same `__typename`, id and fields)."""
    assert seen and all(node["id"] for node in seen)
    for node in seen:
        body = await graph.query(NODE, {"id": node["id"]}, **auth)
        assert "errors" not in body, (node["id"], body["errors"])
        assert _stable(body["data"]["node"]) == _stable(node)


# --- CAIP-2 chain ids --------------------------------------------------------------------------


async def test_onchain_accounts_and_their_assets_carry_caip2_chain_ids(
    odata: Sandboxes,
    graph: GraphClient,
) -> None:
    for source, address, chain in (
        ("ALGORAND", algod_data.WHALE, ALGORAND_CHAIN),
        ("ALGORAND", algod_data.SMALL, ALGORAND_CHAIN),
        ("CARDANO", cardano_data.COLLECTOR, CARDANO_CHAIN),
        ("CARDANO", cardano_data.SMALL, CARDANO_CHAIN),
    ):
        account = await _onchain_page(graph, source, address, first=20)
        assert account["chainId"] == chain
        holdings = account["holdings"]["nodes"]
        assert holdings
        assert {holding["asset"]["chainId"] for holding in holdings} == {chain}
        assert {holding["account"]["chainId"] for holding in holdings} == {chain}


async def test_custodial_accounts_have_no_chain_id(graph: GraphClient) -> None:
    accounts = await _alice(graph)
    assert accounts["CALICO"]["chainId"] is None
    assert accounts["MESH"]["chainId"] is None


# --- CAIP-19 and CIP-14 ------------------------------------------------------------------------


async def test_every_whale_asa_has_its_algorand_caip19(graph: GraphClient) -> None:
    walk = await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 100)
    asas = tokens_after_native(walk)
    read = [node["asset"]["assetId"] for node in asas]
    assert read == WHALE_IDS
    assert str(algod_data.DESTROYED_ID) in read
    for node in asas:
        asset = node["asset"]
        assert asset["chainId"] == ALGORAND_CHAIN
        assert asset["caip19"] == f"{ALGORAND_CHAIN}/asa:{asset['assetId']}"


async def test_the_collector_has_thirty_binary_named_tokens() -> None:
    """The data set's CIP-68 tokens (labels 222 and 333) are the ones whose served names do not
    verify: their labels are not UTF-8."""
    assert len(COLLECTOR_TOKENS) == 250
    assert len(BINARY_NAMED) == 30
    labels = (cardano_data.CIP68_NFT_LABEL, cardano_data.CIP68_FT_LABEL)
    assert all(t.name_bytes.startswith(labels) for t in BINARY_NAMED.values())


async def test_cardano_tokens_whose_names_verify_have_a_caip19(
    odata: Sandboxes, graph: GraphClient
) -> None:
    walk = await walk_holdings(graph, "CARDANO", cardano_data.COLLECTOR, 100)
    assets = {node["asset"]["fingerprint"]: node["asset"] for node in tokens_after_native(walk)}
    assert set(assets) == set(COLLECTOR_TOKENS)
    for fingerprint, token in VERIFIABLE.items():
        asset = assets[fingerprint]
        assert asset["caip19"] == f"{CARDANO_CHAIN}/token:{token.policy_hex}.{token.name_hex}"
        assert asset["policyId"] == token.policy_hex
        assert asset["chainId"] == CARDANO_CHAIN


async def test_cip68_tokens_are_named_after_their_label_kinded_by_it_and_have_a_caip19(
    odata: Sandboxes, graph: GraphClient
) -> None:
    walk = await walk_holdings(graph, "CARDANO", cardano_data.COLLECTOR, 100)
    assets = {node["asset"]["fingerprint"]: node["asset"] for node in tokens_after_native(walk)}
    for fingerprint, token in BINARY_NAMED.items():
        asset = assets[fingerprint]
        name, kind = expected_name(token)
        assert (asset["name"], asset["kind"]) == (name, kind)
        assert name is not None and name.startswith(("Pixel", "Coin"))
        assert asset["nameHex"] == token.name_hex  # the label included
        assert asset["caip19"] == f"{CARDANO_CHAIN}/token:{token.policy_hex}.{token.name_hex}"
    kinds = [assets[fp]["kind"] for fp in BINARY_NAMED]
    assert (kinds.count("NFT"), kinds.count("FUNGIBLE")) == (15, 15)


async def test_names_whose_bytes_cannot_be_recovered_are_known_by_fingerprint_only(
    graph: GraphClient,
) -> None:
    walk = await walk_holdings(graph, "CARDANO", cardano_data.ODDITIES, 20)
    # No ADA row: CardanoBI has no balance for the account (`total_balance: null`).
    assets = {node["asset"]["fingerprint"]: node["asset"] for node in walk.nodes}
    tokens = {t.fingerprint: t for t in cardano_data.tokens()[cardano_data.ODDITIES]}
    assert set(assets) == set(tokens)
    lost = [fp for fp, t in tokens.items() if "\ufffd" in t.name[4:] or "\ufffd" in t.name[:2]]
    assert len(lost) == 2
    for fingerprint in lost:
        asset, token = assets[fingerprint], tokens[fingerprint]
        assert (asset["name"], asset["nameHex"], asset["caip19"]) == (None, None, None)
        assert asset["fingerprint"] == fingerprint and asset["policyId"] == token.policy_hex
        # The label's lossy form is unmistakable: its kind survives the name.
        assert asset["kind"] == CIP68.get(token.name_bytes[:4], "FUNGIBLE")
    for fingerprint, token in tokens.items():
        if fingerprint not in lost:
            name, kind = expected_name(token)
            assert (assets[fingerprint]["name"], assets[fingerprint]["kind"]) == (name, kind)
            assert assets[fingerprint]["nameHex"] == token.name_hex


async def test_cardano_token_names_are_shown_only_when_they_verify(
    odata: Sandboxes, graph: GraphClient
) -> None:
    walk = await walk_holdings(graph, "CARDANO", cardano_data.COLLECTOR, 100)
    names = {
        node["asset"]["fingerprint"]: node["asset"]["name"] for node in tokens_after_native(walk)
    }
    for fingerprint, token in COLLECTOR_TOKENS.items():
        assert names[fingerprint] == expected_name(token)[0]
    assert sum(name is None for name in names.values()) == 1  # the empty name


async def test_binary_named_cardano_assets_round_trip_by_fingerprint(
    odata: Sandboxes, graph: GraphClient
) -> None:
    pages = [
        await _onchain_page(graph, "CARDANO", cardano_data.COLLECTOR, page=page)
        for page in (1, 2, 3)
    ]
    seen = [
        holding["asset"]
        for account in pages
        for holding in account["holdings"]["nodes"]
        if holding["asset"]["fingerprint"] in BINARY_NAMED
    ]
    assert {asset["fingerprint"] for asset in seen} == set(BINARY_NAMED)
    answered = (await graph.data(NODES, {"ids": [asset["id"] for asset in seen]}))["nodes"]
    assert answered == seen


# --- global ids round-trip ---------------------------------------------------------------------


async def test_accounts_round_trip_through_node(odata: Sandboxes, graph: GraphClient) -> None:
    alice = await _alice(graph)
    whale = await _onchain_page(graph, "ALGORAND", algod_data.WHALE, first=1)
    collector = await _onchain_page(graph, "CARDANO", cardano_data.COLLECTOR, first=1)
    seen = [
        {key: account[key] for key in ("__typename", "id", "source", "address", "chainId")}
        for account in (whale, collector, alice["CALICO"], alice["MESH"])
    ]
    assert [account["source"] for account in seen] == ["ALGORAND", "CARDANO", "CALICO", "MESH"]
    await _assert_round_trip(graph, seen, user="alice", calico=True)


async def test_holdings_round_trip_through_node(odata: Sandboxes, graph: GraphClient) -> None:
    alice = await _alice(graph)
    whale = await _onchain_page(
        graph, "ALGORAND", algod_data.WHALE, first=5, filter={"symbols": ["USDC"]}
    )
    third_page = await _onchain_page(graph, "CARDANO", cardano_data.COLLECTOR, page=3)
    mesh_eth = [
        node for node in alice["MESH"]["holdings"]["nodes"] if node["asset"]["symbol"] == "ETH"
    ]
    seen = [
        _holding(whale, asset__assetId=str(algod_data.USDC_ID)),
        third_page["holdings"]["nodes"][-1],
        _holding(alice["CALICO"], provider__slug="metamask", asset__symbol="ETH"),
        _holding(alice["CALICO"], provider__slug="coinbase", asset__symbol="BTC"),
        *mesh_eth,
        _holding(alice["MESH"], asset__symbol="TSLA"),
    ]
    assert len(mesh_eth) == 2
    assert len({holding["id"] for holding in seen}) == len(seen)
    await _assert_round_trip(graph, seen, user="alice", calico=True)


async def test_assets_round_trip_through_node(odata: Sandboxes, graph: GraphClient) -> None:
    alice = await _alice(graph)
    whale = await _onchain_page(
        graph, "ALGORAND", algod_data.WHALE, first=5, filter={"symbols": ["USDC"]}
    )
    destroyed = (await walk_holdings(graph, "ALGORAND", algod_data.WHALE, 100)).nodes[-1]
    assert destroyed["asset"]["assetId"] == str(algod_data.DESTROYED_ID)
    third_page = await _onchain_page(graph, "CARDANO", cardano_data.COLLECTOR, page=3)
    verifiable = [
        node["asset"]
        for node in third_page["holdings"]["nodes"]
        if node["asset"]["fingerprint"] in VERIFIABLE
    ]
    seen = [
        _holding(whale, asset__assetId=str(algod_data.USDC_ID))["asset"],
        verifiable[-1],
        _holding(alice["CALICO"], provider__slug="metamask", asset__symbol="ETH")["asset"],
        _holding(alice["CALICO"], provider__slug="coinbase", asset__symbol="BTC")["asset"],
        _holding(alice["MESH"], asset__symbol="TSLA")["asset"],
    ]
    # The destroyed ASA is read with the holding fields of `walk_holdings`, which are all of
    # Asset's but `__typename`.
    destroyed_asset = {"__typename": "Asset", **destroyed["asset"]}
    assert seen[-1]["kind"] == "EQUITY"
    await _assert_round_trip(graph, [*seen, destroyed_asset], user="alice", calico=True)


async def test_positions_round_trip_through_node(graph: GraphClient) -> None:
    positions = (await _alice(graph))["MESH"]["positions"]["nodes"]
    kinds = {position["positionKind"] for position in positions}
    assert kinds == {"EQUITY", "CRYPTOCURRENCY", "NFT"}
    await _assert_round_trip(graph, positions, user="alice")


async def test_alices_two_eth_positions_stay_distinct(graph: GraphClient) -> None:
    positions = (await _alice(graph))["MESH"]["positions"]["nodes"]
    eth = [position for position in positions if position["symbol"] == "ETH"]
    assert len(eth) == 2
    assert eth[0]["id"] != eth[1]["id"]
    answered = (await graph.data(NODES, {"ids": [p["id"] for p in eth]}, user="alice"))["nodes"]
    assert answered == eth
    distributions = sorted(
        [(d["chainId"], d["amount"]) for d in position["distribution"]] for position in answered
    )
    assert distributions == [[], [("eip155:1", "0.16"), ("eip155:42161", "0.100325")]]


async def test_providers_round_trip_through_node(odata: Sandboxes, graph: GraphClient) -> None:
    alice = await _alice(graph)
    whale = await _onchain_page(graph, "ALGORAND", algod_data.WHALE, first=1)
    collector = await _onchain_page(graph, "CARDANO", cardano_data.COLLECTOR, first=1)
    listed = (await graph.data(PROVIDERS))["providers"]["nodes"]
    seen = [
        whale["holdings"]["nodes"][0]["provider"],
        collector["holdings"]["nodes"][0]["provider"],
        *alice["CALICO"]["providers"],
        *listed,
    ]
    slugs = {provider["slug"] for provider in seen}
    assert {"algorand", "cardano", "coinbase", "kraken", "metamask"} <= slugs
    await _assert_round_trip(graph, seen)


async def test_nodes_answers_in_the_order_asked(odata: Sandboxes, graph: GraphClient) -> None:
    alice = await _alice(graph)
    whale = await _onchain_page(graph, "ALGORAND", algod_data.WHALE, first=3)
    collector = await _onchain_page(graph, "CARDANO", cardano_data.COLLECTOR, page=3)
    mixed = [
        whale["holdings"]["nodes"][2],
        alice["MESH"]["positions"]["nodes"][4],
        collector["holdings"]["nodes"][-1]["asset"],
        {key: alice["CALICO"][key] for key in ("__typename", "id", "source", "address", "chainId")},
        alice["CALICO"]["holdings"]["nodes"][40],
        whale["holdings"]["nodes"][0]["provider"],
        alice["MESH"]["holdings"]["nodes"][0],
        {key: whale[key] for key in ("__typename", "id", "source", "address", "chainId")},
        alice["MESH"]["positions"]["nodes"][2],
        whale["holdings"]["nodes"][0],
    ]
    for order in (mixed, mixed[::-1], mixed[3:] + mixed[:3]):
        body = await graph.query(
            NODES, {"ids": [node["id"] for node in order]}, user="alice", calico=True
        )
        assert "errors" not in body, body["errors"]
        assert [_stable(node) for node in body["data"]["nodes"]] == [_stable(n) for n in order]


# --- unknown and malformed ids -----------------------------------------------------------------


def _renamed(node_id: str, type_name: str) -> str:
    """`node_id` naming another type. Forging an id needs its format: this graph's ids are
    base64url (unpadded) JSON arrays `[type, part, ...]`; if that changes, so must this."""
    decoded = json.loads(base64.urlsafe_b64decode(node_id + "=" * (-len(node_id) % 4)))
    assert isinstance(decoded, list) and decoded, decoded
    decoded[0] = type_name
    text = json.dumps(decoded, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def _assert_refused(graph: GraphClient, clean: Sandboxes, value: str) -> None:
    body = await graph.query(NODE, {"id": value}, user="alice", calico=True)
    assert body["data"] == {"node": None}
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert body["errors"][0]["path"] == ["node"]
    assert value in body["errors"][0]["message"]
    assert [await sandbox.total() for sandbox in clean.all()] == [0, 0, 0, 0]


@pytest.mark.parametrize("value", ["garbage", "%%%not-an-id%%%", "WyJ", "bm90IGpzb24"])
async def test_a_malformed_id_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes, value: str
) -> None:
    await _assert_refused(graph, clean, value)


async def test_an_id_naming_an_unknown_type_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    whale = await _onchain_page(graph, "ALGORAND", algod_data.WHALE, first=1)
    await clean.reset()
    holding = whale["holdings"]["nodes"][0]
    for node in (holding["asset"], holding["provider"]):
        await _assert_refused(graph, clean, _renamed(node["id"], "Wallet"))


async def test_a_bad_id_fails_only_its_own_slot_of_nodes(graph: GraphClient) -> None:
    provider = (await graph.data(PROVIDERS))["providers"]["nodes"][0]
    body = await graph.query(NODES, {"ids": ["garbage", provider["id"]]})
    assert body["data"] == {"nodes": [None, provider]}
    assert codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["path"] == ["nodes", 0]
    assert "garbage" in body["errors"][0]["message"]


async def test_an_asa_id_that_is_not_a_uint64_is_refused_before_any_upstream_call(
    graph: GraphClient, clean: Sandboxes
) -> None:
    import base64
    import json

    def asset_id_of(value: str) -> str:
        raw = json.dumps(["Asset", "ALGORAND", value]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    for value in ("²", "18446744073709551616", "9" * 5000, "-1"):
        body = await graph.query(
            "query($id: ID!) { node(id: $id) { id } }", {"id": asset_id_of(value)}
        )
        assert body["data"]["node"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert await clean.algod.total() == 0
