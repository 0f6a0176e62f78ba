"""Accounts the benchmark reads cold: many distinct addresses, each with a full S1 page.

S1 over the whale alone measures warm caches: the same ids, cursors and upstream page on every
request. The cold rows ask for 100 distinct accounts instead, each holding 100 assets of the
sandbox catalogue, so that no id, cursor or page repeats within a pass. The default sandbox
ledger (which other tests read) is left as it is: `ColdAlgodSandbox` is the algod sandbox with
these accounts added, started only by `python -m bench.sandboxes --cold-accounts N`.

An account here is `encode_address(sha256(b"bench-cold-<i>"))`; its holdings are a seeded
sample of the catalogue with amounts drawn up to each asset's total, so, like the whale's, some
of them are above 2**53 (which a JavaScript number rounds).
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from aiohttp import web

from sources.algod.address import encode_address
from sources.algod.sandbox import AlgodSandbox
from sources.algod.sandbox_data import MIN_BALANCE, ROUND, HoldingData, assets
from sources.sandboxing import dumps_exact

__all__ = [
    "COLD_HOLDINGS",
    "MAX_COLD_ACCOUNTS",
    "ColdAlgodSandbox",
    "cold_addresses",
    "cold_algo",
    "cold_holdings",
]

COLD_HOLDINGS = 100
"""Assets each cold account holds: exactly one S1 page."""
MAX_COLD_ACCOUNTS = 1000
_SEED = 20261121
_ASSETS_ROUTE = "/v2/accounts/{address}/assets"
_ACCOUNT_ROUTE = "/v2/accounts/{address}"

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@functools.cache
def cold_addresses(count: int) -> tuple[str, ...]:
    """The first `count` cold accounts, in order."""
    if not 0 <= count <= MAX_COLD_ACCOUNTS:
        raise ValueError(f"cold accounts must be 0..{MAX_COLD_ACCOUNTS}, not {count}")
    return tuple(
        encode_address(hashlib.sha256(f"bench-cold-{i}".encode("ascii")).digest())
        for i in range(count)
    )


@functools.cache
def _ledger() -> Mapping[str, tuple[HoldingData, ...]]:
    catalogue = assets()
    ids = list(catalogue)
    rng = random.Random(_SEED)
    accounts: dict[str, tuple[HoldingData, ...]] = {}
    for address in cold_addresses(MAX_COLD_ACCOUNTS):
        picked = sorted(rng.sample(ids, COLD_HOLDINGS))
        rows = []
        for asset_id in picked:
            params = catalogue[asset_id]
            amount = 0 if rng.random() < 0.05 else rng.randint(1, params.total)
            rows.append(HoldingData(asset_id, amount, params.default_frozen))
        accounts[address] = tuple(rows)
    return MappingProxyType(accounts)


def cold_holdings(address: str) -> tuple[HoldingData, ...]:
    """The holdings of a cold account (ascending asset id); none for any other address."""
    return _ledger().get(address, ())


def cold_algo(address: str) -> int:
    """A cold account's microAlgos: derived from its address, above the minimum balance."""
    digest = hashlib.sha256(address.encode("ascii")).digest()
    return MIN_BALANCE * (1 + COLD_HOLDINGS) + int.from_bytes(digest[:5], "big")


@functools.cache
def _fragments(address: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    catalogue = assets()
    ids: list[int] = []
    fragments: list[str] = []
    for holding in cold_holdings(address):
        entry: dict[str, Any] = {"asset-holding": holding.to_json()}
        params = catalogue.get(holding.asset_id)
        if params is not None:
            entry["asset-params"] = params.to_json()
        ids.append(holding.asset_id)
        fragments.append(dumps_exact(entry))
    return tuple(ids), tuple(fragments)


class ColdAlgodSandbox(AlgodSandbox):
    """The algod sandbox, plus `accounts` cold accounts.

    Every request still goes through the algod sandbox's own handler first (auth, the
    address checksum, `limit`/`next`/`exclude` parsing and their error answers); only its
    successful answers about a cold account are replaced by that account's data, paged the
    same way. Requests about any other address are answered by the sandbox unchanged.
    """

    def __init__(self, *, accounts: int, **options: Any) -> None:
        super().__init__(**options)
        self._cold = frozenset(cold_addresses(accounts))

    def routes(self) -> Iterable[web.RouteDef]:
        wrapped: list[web.RouteDef] = []
        for route in super().routes():
            assert isinstance(route, web.RouteDef)
            replace = {_ASSETS_ROUTE: _cold_assets, _ACCOUNT_ROUTE: _cold_account}.get(route.path)
            if replace is None:
                wrapped.append(route)
            else:
                wrapped.append(web.route(route.method, route.path, self._over(route, replace)))
        return wrapped

    def _over(
        self, route: web.RouteDef, replace: Callable[[web.Request, str, bytes], web.Response]
    ) -> _Handler:
        handler: _Handler = route.handler

        async def serve(request: web.Request) -> web.StreamResponse:
            answer = await handler(request)
            address = request.match_info.get("address", "")
            if address not in self._cold or answer.status != 200:
                return answer
            assert isinstance(answer, web.Response) and isinstance(answer.body, bytes)
            return replace(request, address, answer.body)

        return serve


def _cold_assets(request: web.Request, address: str, _: bytes) -> web.Response:
    # The sandbox accepted `limit` and `next`, so both are plain unsigned integers here.
    limit = int(request.query.get("limit") or 1000)
    after = int(request.query.get("next") or 0)
    ids, fragments = _fragments(address)
    start = next((i for i, asset_id in enumerate(ids) if asset_id > after), len(ids))
    end = min(start + limit, len(ids))
    next_token = f',"next-token":"{ids[end - 1]}"' if end < len(ids) else ""
    text = f'{{"asset-holdings":[{",".join(fragments[start:end])}]{next_token},"round":{ROUND}}}'
    return web.Response(text=text, content_type="application/json")


def _cold_account(request: web.Request, address: str, body: bytes) -> web.Response:
    account: dict[str, Any] = json.loads(body)
    held = cold_holdings(address)
    amount = cold_algo(address)
    account.update(
        {
            "amount": amount,
            "amount-without-pending-rewards": amount,
            "min-balance": MIN_BALANCE * (1 + len(held)),
            "total-assets-opted-in": len(held),
        }
    )
    if request.query.get("exclude") != "all":
        account["assets"] = [holding.to_json() for holding in held]
    return web.Response(
        text=dumps_exact(dict(sorted(account.items()))), content_type="application/json"
    )
