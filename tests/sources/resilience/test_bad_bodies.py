"""Bad upstream bodies, fed by hypothesis through the real sandboxes: JSON of
any shape, valid answers with a field removed or replaced (by huge, negative or fractional
numbers, strings, nulls, nesting), text that is not JSON, and CardanoBI's HTML error pages, with
the statuses upstreams really send. Every client method ends with its record (or its documented
`None`) or an `UpstreamError`, never anything else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.algod import sandbox_data as algod_data
from sources.algod.records import AccountInfo as AlgodAccount
from sources.algod.records import AssetHoldingsPage, AssetInfo
from sources.calico.records import AssetsPage, RefreshResult
from sources.cardanobi import sandbox_data as cardano_data
from sources.cardanobi.records import AccountAssetsPage, AccountInfo, AssetDetails
from sources.cardanobi.sandbox import (
    TOKEN_PATH,
    CardanoBISandbox,
)
from sources.errors import UpstreamError
from sources.mesh.records import Portfolio
from sources.sandboxing import dumps_exact
from tests.harness import Sandboxes

from .upstreams import Clients, clients

SMALL_ALGO = algod_data.SMALL
SMALL_ADA = cardano_data.SMALL
FINGERPRINT = "asset1" + "q" * 38
POLICY = "ab" * 28
_PARAMS = {
    "creator": "CREATOR",
    "decimals": 6,
    "total": 10**12,
    "name": "USDC",
    "unit-name": "USDC",
    "name-b64": "VVNEQw==",
}
_POSITION = {
    "symbol": "MSFT",
    "name": "Microsoft",
    "amount": Decimal("12.5"),
    "costBasis": Decimal("380.1"),
    "marketValue": Decimal("5191.5"),
    "lastPrice": Decimal("415.32"),
}


@dataclass(frozen=True)
class Method:
    """One client method: where its answer is faked, a valid answer to mutate, how to call it,
    and what it may return."""

    sandbox: str
    path: str
    valid: Any
    call: Callable[[Clients], Awaitable[object]]
    returns: tuple[type, ...]


METHODS: dict[str, Method] = {
    "algod.account_assets": Method(
        "algod",
        "/assets",
        {
            "round": 7,
            "asset-holdings": [
                {
                    "asset-holding": {"amount": 5, "asset-id": 9, "is-frozen": False},
                    "asset-params": _PARAMS,
                }
            ],
        },
        lambda c: c.algod.account_assets(SMALL_ALGO),
        (AssetHoldingsPage,),
    ),
    "algod.asset": Method(
        "algod",
        "/v2/assets/",
        {"index": 31566704, "params": _PARAMS},
        lambda c: c.algod.asset(31566704),
        (AssetInfo, type(None)),
    ),
    "algod.account": Method(
        "algod",
        "/v2/accounts/",
        {"address": SMALL_ALGO, "amount": 5, "round": 7, "total-assets-opted-in": 3},
        lambda c: c.algod.account(SMALL_ALGO),
        (AlgodAccount,),
    ),
    "cardanobi.account_assets": Method(
        "cardanobi",
        "/api/core",
        [{"policy_hex": POLICY, "fingerprint": FINGERPRINT, "name": "X", "quantity": 5}],
        lambda c: c.fresh_cardanobi().account_assets(SMALL_ADA, top=10),
        (AccountAssetsPage,),
    ),
    "cardanobi.account": Method(
        "cardanobi",
        "/api/core",
        {"stake_address": SMALL_ADA, "total_balance": 5, "is_registered": True},
        lambda c: c.fresh_cardanobi().account(SMALL_ADA),
        (AccountInfo, type(None)),
    ),
    "cardanobi.asset": Method(
        "cardanobi",
        "/api/core",
        [{"fingerprint": FINGERPRINT, "policy_hex": POLICY, "name": "X", "total_supply": 5}],
        lambda c: c.fresh_cardanobi().asset(FINGERPRINT),
        (AssetDetails, type(None)),
    ),
    "cardanobi.token": Method(
        "cardanobi",
        TOKEN_PATH,
        {"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600},
        lambda c: c.token_cache().token(),
        (str,),
    ),
    "calico.assets": Method(
        "calico",
        "/assets",
        {
            "data": {
                "assets": [
                    {
                        "asset_symbol": "BTC",
                        "asset_holdings": "1.5",
                        "provider_id": "kraken",
                        "price_in_usd": Decimal("64000.5"),
                        "time_fetched": "2026-03-06T09:00:00.000Z",
                    }
                ]
            },
            "errors": [],
            "page": {"next_uri": "https://api.getcalico.com/accounts/v2/assets?cursor=abc"},
        },
        lambda c: c.calico.assets("sandbox-calico-bob"),
        (AssetsPage,),
    ),
    "calico.refresh": Method(
        "calico",
        "/refresh",
        {"data": {"response": True}},
        lambda c: c.calico.refresh("sandbox-calico-bob"),
        (RefreshResult,),
    ),
    "mesh.portfolio": Method(
        "mesh",
        "/portfolio",
        {
            "status": "ok",
            "content": {
                "equitiesValue": Decimal("5191.5"),
                "cryptocurrenciesValue": 0,
                "nftsValue": 0,
                "equityPositions": [_POSITION],
                "cryptocurrencyPositions": [],
                "nftPositions": [],
            },
        },
        lambda c: c.mesh.portfolio("bob"),
        (Portfolio,),
    ),
}

_CARDANOBI = CardanoBISandbox()
HTML_PAGES = [_CARDANOBI.error_response(status).text or "" for status in (402, 403, 429, 502, 503)]
"""CardanoBI's own HTML error pages (its gateway's 402 and 429 included)."""

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """`valid` with one value somewhere in it replaced or removed."""
    if isinstance(valid, dict) and valid:
        key = draw(st.sampled_from(sorted(valid)))
        action = draw(st.sampled_from(["replace", "remove", "descend"]))
        copy = dict(valid)
        if action == "remove":
            del copy[key]
        elif action == "replace" or not isinstance(valid[key], dict | list):
            copy[key] = draw(JSON)
        else:
            copy[key] = draw(mutated(valid[key]))
        return copy
    if isinstance(valid, list) and valid:
        index = draw(st.integers(min_value=0, max_value=len(valid) - 1))
        copy_list = list(valid)
        copy_list[index] = draw(mutated(valid[index]) | JSON)
        return copy_list
    return draw(JSON)


@st.composite
def answers(draw: st.DrawFn, valid: Any) -> dict[str, Any]:
    """A faults document that makes the sandbox answer one bad body."""
    kind = draw(st.sampled_from(["mutated", "json", "text", "html"]))
    if kind == "mutated":
        body, content_type = dumps_exact(draw(mutated(valid))), "application/json"
    elif kind == "json":
        body, content_type = dumps_exact(draw(JSON)), "application/json"
    elif kind == "text":
        body, content_type = draw(st.text(max_size=200)), "text/plain"
    else:
        body, content_type = draw(st.sampled_from(HTML_PAGES)), "text/html"
    status = draw(st.sampled_from([200, 200, 200, 206, 400, 401, 402, 404, 429, 500, 503]))
    return {"body": body, "content_type": content_type, "status": status}


@pytest_asyncio.fixture(scope="module")
async def module_clients(sandboxes: Sandboxes) -> AsyncIterator[Clients]:
    async with clients(sandboxes) as c:
        yield c
    await sandboxes.reset()


@pytest.mark.parametrize("name", list(METHODS))
async def test_the_valid_answer_is_read(
    module_clients: Clients, clean: Sandboxes, name: str
) -> None:
    method = METHODS[name]
    await getattr(clean, method.sandbox).faults(body=dumps_exact(method.valid), path=method.path)
    assert isinstance(await method.call(module_clients), method.returns)


@pytest.mark.parametrize("name", list(METHODS))
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_any_body_ends_as_a_record_or_an_upstream_error(
    module_clients: Clients, clean: Sandboxes, name: str, data: st.DataObject
) -> None:
    method = METHODS[name]
    faults = data.draw(answers(method.valid), label="answer")
    await getattr(clean, method.sandbox).faults(**faults, path=method.path)
    try:
        result = await method.call(module_clients)
    except UpstreamError:
        return
    assert isinstance(result, method.returns), result
