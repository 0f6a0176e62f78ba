"""The benchmark scenarios: what a web app or a gateway asks the graph, and what each
answer must hold for the operation to count.

Each scenario knows the theoretical minimum of upstream requests one operation needs, so the
runner can report the measured figure against it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from bench.load import Operation, OperationFailed
from sources.algod.sandbox_data import BENCH_ADDRESSES, WHALE, WHALE_ASSET_COUNT
from sources.cardanobi.sandbox_data import SMALL as CARDANO_SMALL

__all__ = ["SCENARIOS", "Scenario"]

HOLDING_FIELDS = """
  id amount rawAmount isFrozen
  asset { id kind symbol name decimals caip19 assetId }
"""

S1 = f"""query S1($address: String!) {{
  account(source: ALGORAND, address: $address) {{
    holdings(first: 100) {{
      edges {{ cursor node {{ {HOLDING_FIELDS} }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}"""

S2 = f"""query S2($refs: [AccountRef!]!) {{
  viewer {{
    accounts {{
      source address
      holdings(first: 20) {{ edges {{ node {{ {HOLDING_FIELDS} priceUsd valueUsd }} }} }}
      positions(first: 20) {{ edges {{ node {{ id kind symbol amount marketValue }} }} }}
    }}
  }}
  accounts(refs: $refs) {{
    source address
    holdings(first: 20) {{ edges {{ node {{ {HOLDING_FIELDS} }} }} }}
  }}
  portfolio(accounts: $refs) {{
    totalValueUsd holdingsCount valuedHoldingsCount asOf
    bySource {{ source valueUsd complete }}
    byAsset(first: 10) {{ nodes {{ key symbol amount valueUsd }} }}
    errors {{ source code }}
  }}
}}"""

S3 = f"""query S3($refs: [AccountRef!]!) {{
  accounts(refs: $refs) {{
    address
    holdings(first: 10) {{ edges {{ node {{ {HOLDING_FIELDS} }} }} }}
  }}
}}"""

S4 = f"""query S4($address: String!, $after: String) {{
  account(source: ALGORAND, address: $address) {{
    holdings(first: 100, after: $after) {{
      edges {{ node {{ {HOLDING_FIELDS} }} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}"""

S5 = """query S5($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Account { address holdings(first: 5) { edges { node { amount asset { symbol } } } } }
  }
}"""


@dataclass(frozen=True)
class Scenario:
    """One benchmark scenario: its operation and its minimum upstream requests per operation."""

    key: str
    title: str
    min_upstream: int
    needs_user: bool = False

    def operation(self, url: str, headers: Mapping[str, str]) -> Operation:
        return _OPERATIONS[self.key](url, dict(headers))


async def _post(
    session: aiohttp.ClientSession,
    url: str,
    headers: Mapping[str, str],
    query: str,
    variables: Mapping[str, Any],
    allowed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The answer's data; any error whose code is not in `allowed` fails the operation."""
    body = json.dumps({"query": query, "variables": variables})
    async with session.post(
        url, data=body, headers={"Content-Type": "application/json", **headers}
    ) as response:
        text = await response.read()
        if response.status != 200:
            raise OperationFailed(f"HTTP {response.status}")
    answer: dict[str, Any] = json.loads(text)
    unexpected = [
        error
        for error in answer.get("errors") or ()
        if error.get("extensions", {}).get("code") not in allowed
    ]
    if unexpected:
        raise OperationFailed(json.dumps(answer["errors"])[:200])
    return answer["data"]  # type: ignore[no-any-return]


def _s1(url: str, headers: dict[str, str]) -> Operation:
    async def run(session: aiohttp.ClientSession, index: int) -> int:
        data = await _post(session, url, headers, S1, {"address": WHALE})
        if len(data["account"]["holdings"]["edges"]) != 100:
            raise OperationFailed("S1: not 100 holdings")
        return 1

    return run


# A user's own wallets: each fits in one upstream page, so the whole screen (first pages and
# the portfolio) can be read in one round of parallel calls. The whale's 2,500 holdings are
# S4's walk: no screen of them can beat sequential `next` tokens.
_ON_CHAIN_REFS = [
    {"source": "ALGORAND", "address": BENCH_ADDRESSES[0]},
    {"source": "ALGORAND", "address": BENCH_ADDRESSES[1]},
    {"source": "CARDANO", "address": CARDANO_SMALL},
]


def _s2(url: str, headers: dict[str, str]) -> Operation:
    async def run(session: aiohttp.ClientSession, index: int) -> int:
        # Alice's `binance` connection always fails on the sandbox (SANDBOX.md): expected.
        data = await _post(
            session, url, headers, S2, {"refs": _ON_CHAIN_REFS}, frozenset({"PROVIDER_ERROR"})
        )
        if len(data["viewer"]["accounts"]) != 2 or len(data["accounts"]) != 3:
            raise OperationFailed("S2: not 2 custodial and 3 on-chain accounts")
        return 1

    return run


_S3_REFS = [{"source": "ALGORAND", "address": address} for address in BENCH_ADDRESSES[:50]]


def _s3(url: str, headers: dict[str, str]) -> Operation:
    async def run(session: aiohttp.ClientSession, index: int) -> int:
        data = await _post(session, url, headers, S3, {"refs": _S3_REFS})
        if len(data["accounts"]) != 50 or any(
            not account["holdings"]["edges"] for account in data["accounts"]
        ):
            raise OperationFailed("S3: missing accounts or holdings")
        return 1

    return run


def _s4(url: str, headers: dict[str, str]) -> Operation:
    async def run(session: aiohttp.ClientSession, index: int) -> int:
        seen = requests = 0
        after: str | None = None
        while True:
            data = await _post(session, url, headers, S4, {"address": WHALE, "after": after})
            connection = data["account"]["holdings"]
            seen += len(connection["edges"])
            requests += 1
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
            if requests > WHALE_ASSET_COUNT:
                raise OperationFailed("S4: the walk does not end")
        if seen < WHALE_ASSET_COUNT:
            raise OperationFailed(f"S4: walked {seen} holdings")
        return requests

    return run


_S5_REPRESENTATIONS = [
    {"__typename": "Account", "source": "ALGORAND", "address": address}
    for address in (BENCH_ADDRESSES * 2)[:100]
]


def _s5(url: str, headers: dict[str, str]) -> Operation:
    async def run(session: aiohttp.ClientSession, index: int) -> int:
        data = await _post(session, url, headers, S5, {"representations": _S5_REPRESENTATIONS})
        if len(data["_entities"]) != 100 or any(entity is None for entity in data["_entities"]):
            raise OperationFailed("S5: missing entities")
        return 1

    return run


_OPERATIONS = {"S1": _s1, "S2": _s2, "S3": _s3, "S4": _s4, "S5": _s5}

SCENARIOS: tuple[Scenario, ...] = (
    # ALGO's balance record and one asset page.
    Scenario("S1", "one Algorand account, holdings(first: 100) with asset fields", 2),
    Scenario(
        "S2",
        "portfolio screen: viewer's Calico + Mesh accounts and 3 on-chain accounts, first pages, "
        "and their portfolio",
        # Per algod account a balance and one asset page (the portfolio's page of 1,000 also
        # serves the first 20); CardanoBI the stake account and one token page; Calico one
        # asset page; Mesh the portfolio. The bearer token is fetched once per process.
        2 * 2 + 2 + 1 + 1,
        needs_user=True,
    ),
    Scenario("S3", "accounts(refs:) of 50 Algorand addresses, holdings(first: 10) each", 50 * 2),
    Scenario(
        "S4",
        "walking the whale's 2,500 holdings with first: 100 (26 requests)",
        # ALGO and 2,500 ASAs in pages of 100: 26 asset pages, and the balance once.
        26 + 1,
    ),
    Scenario("S5", "_entities with 100 Account representations (50 distinct addresses)", 50 * 2),
)
