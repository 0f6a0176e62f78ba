"""A naive stock Strawberry server answering S1: what an afternoon with the docs gives.

    python -m bench.peers.naive_strawberry --port N --algod-url URL --algod-token TOKEN

The graph's S1 shape (so the bench sends it the graph's own document), mapped straight from
algod's JSON: no loaders, no validation, no signed cursors, no caches, no limits. It is exact
(Python's JSON integers are), which is the point of comparison with the JavaScript peers.
"""

from __future__ import annotations

import argparse
import base64
from decimal import Decimal
from enum import Enum
from typing import Any

import aiohttp
import strawberry
import uvicorn
from strawberry.asgi import GraphQL

__all__ = ["create_app", "main"]

_CHAIN = "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"


@strawberry.enum
class Source(Enum):
    ALGORAND = "ALGORAND"


@strawberry.enum
class AssetKind(Enum):
    FUNGIBLE = "FUNGIBLE"
    NFT = "NFT"


@strawberry.type
class Asset:
    id: strawberry.ID
    kind: AssetKind
    symbol: str | None
    name: str | None
    decimals: int | None
    caip19: str | None
    asset_id: str | None


@strawberry.type
class AssetHolding:
    id: strawberry.ID
    amount: str
    raw_amount: str | None
    is_frozen: bool | None
    asset: Asset


@strawberry.type
class HoldingEdge:
    cursor: str
    node: AssetHolding


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class HoldingConnection:
    edges: list[HoldingEdge]
    page_info: PageInfo


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _holding(address: str, entry: dict[str, Any]) -> AssetHolding:
    held, params = entry["asset-holding"], entry.get("asset-params")
    asset_id = held["asset-id"]
    decimals = params.get("decimals", 0) if params else None
    raw = held["amount"]
    return AssetHolding(
        id=strawberry.ID(_b64(f"AssetHolding:{address}:{asset_id}")),
        amount=str(Decimal(raw).scaleb(-(decimals or 0))),
        raw_amount=str(raw),
        is_frozen=held["is-frozen"],
        asset=Asset(
            id=strawberry.ID(_b64(f"Asset:{asset_id}")),
            kind=AssetKind.NFT
            if params and params.get("total") == 1 and decimals == 0
            else AssetKind.FUNGIBLE,
            symbol=params.get("unit-name") if params else None,
            name=params.get("name") if params else None,
            decimals=decimals,
            caip19=f"{_CHAIN}/asa:{asset_id}",
            asset_id=str(asset_id),
        ),
    )


@strawberry.type
class Account:
    source: Source
    address: str

    @strawberry.field
    async def holdings(
        self, info: strawberry.Info, first: int = 20, after: str | None = None
    ) -> HoldingConnection:
        algod: _Algod = info.context["algod"]
        body = await algod.account_assets(self.address, first, after)
        edges = [
            HoldingEdge(
                cursor=_b64(str(e["asset-holding"]["asset-id"])), node=_holding(self.address, e)
            )
            for e in body.get("asset-holdings") or ()
        ]
        return HoldingConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=bool(body.get("next-token")),
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.type
class Query:
    @strawberry.field
    def account(self, source: Source, address: str) -> Account:
        return Account(source=source, address=address)


class _Algod:
    def __init__(self, url: str, token: str) -> None:
        self._url, self._token = url, token
        self._session: aiohttp.ClientSession | None = None

    async def account_assets(self, address: str, limit: int, after: str | None) -> Any:
        if self._session is None:
            self._session = aiohttp.ClientSession(headers={"X-Algo-API-Token": self._token})
        params = {"limit": str(limit)}
        if after:
            params["next"] = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
        async with self._session.get(
            f"{self._url}/v2/accounts/{address}/assets", params=params
        ) as response:
            response.raise_for_status()
            return await response.json()


class _App(GraphQL[dict[str, Any], None]):
    def __init__(self, algod: _Algod) -> None:
        super().__init__(strawberry.Schema(query=Query))
        self._algod = algod

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return {"algod": self._algod}


def create_app(algod_url: str, algod_token: str) -> GraphQL[dict[str, Any], None]:
    return _App(_Algod(algod_url, algod_token))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.peers.naive_strawberry")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--algod-url", required=True)
    parser.add_argument("--algod-token", required=True)
    arguments = parser.parse_args()
    uvicorn.run(
        create_app(arguments.algod_url, arguments.algod_token),
        host="127.0.0.1",
        port=arguments.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
