"""The ceiling: a bare aiohttp handler that fetches the upstream JSON and returns it unchanged.

    python -m bench.ceiling --port P --algod-url URL --algod-token TOKEN

`GET /ceiling` asks algod for the whale's first 100 ASA holdings (what scenario S1 needs), and
`GET /ceiling?address=A` for account A's, and answers with algod's body as is: no parsing, no
GraphQL, no validation. No gateway over the same
upstream can be faster on this machine, so S1's throughput is reported as a ratio of this one's.
"""

from __future__ import annotations

import argparse

import aiohttp
from aiohttp import web

from sources.algod.sandbox_data import WHALE

__all__ = ["main"]

_SESSION = web.AppKey("session", aiohttp.ClientSession)


def _app(algod_url: str, token: str) -> web.Application:
    app = web.Application()

    async def ceiling(request: web.Request) -> web.Response:
        address = request.query.get("address", WHALE)
        async with request.app[_SESSION].get(
            f"{algod_url}/v2/accounts/{address}/assets",
            params={"limit": "100"},
            headers={"X-Algo-API-Token": token},
        ) as upstream:
            body = await upstream.read()
        return web.Response(body=body, content_type="application/json")

    async def session(app: web.Application):  # type: ignore[no-untyped-def]
        app[_SESSION] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        yield
        await app[_SESSION].close()

    app.cleanup_ctx.append(session)
    app.router.add_get("/ceiling", ceiling)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ceiling")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--algod-url", required=True)
    parser.add_argument("--algod-token", required=True)
    arguments = parser.parse_args()
    web.run_app(
        _app(arguments.algod_url, arguments.algod_token),
        host="127.0.0.1",
        port=arguments.port,
        access_log=None,
        print=None,
    )


if __name__ == "__main__":
    main()
