"""Nothing escapes unmapped: whatever an upstream answers, every client method of the four
clients raises an `UpstreamError` (and nothing else), quickly; or, when only items of a list are
hostile, answers with each of those items rejected by one (`Rejected`, its error an
`UpstreamBadResponse`), since one malformed item costs only itself.

A hostile upstream on loopback answers each method with a list of hostile answers: huge or
non-ASCII `Retry-After`s, deep nesting, absurd exponents, non-ASCII digits, an invalid IPv6
`next_uri`, timestamps that overflow, non-ASCII base64, a 5000-digit next-token, wrong types,
null everywhere, a gzip bomb over the body cap. Each answer is built from a valid answer of the
method (which `test_the_valid_answer_is_read` proves valid), so each refusal is the hostile
part's doing.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from resolvers.sources import SOURCES
from sources.algod.client import AlgodClient
from sources.calico.client import CalicoClient
from sources.cardanobi.auth import IDENTITY_SERVER
from sources.cardanobi.client import CardanoBIClient
from sources.errors import UpstreamBadResponse, UpstreamError
from sources.http import HttpUpstream, Timeouts
from sources.mesh.client import MeshClient
from sources.parsing import Rejected
from sources.sandboxing import dumps_exact
from sources.source import Source
from tests.sources.building import upstream_of

from .loopback import Loopback, gzip_of_zeros, serving

CAP = 1024 * 1024
"""The body cap of the upstreams under test (the bomb inflates to 8 times as much)."""
QUICKLY = 2.0
"""Seconds any refusal may take; the timeout is 5 s, so a hang shows."""
TOKEN_PATH = "/connect/token"
ADDRESS = "ALGOD7ADDRESS"
STAKE = "stake1u8fp0ltydlamndwxve0kq5gs7nwwmw3sz3tyhcwgjmk568c6ghfmh"
FINGERPRINT = "asset1" + "q" * 38
POLICY = "ab" * 28


@dataclass(frozen=True)
class Answer:
    """What the hostile upstream sends: a status, raw body bytes and headers."""

    status: int = 200
    body: bytes = b"{}"
    headers: Mapping[str, str] = field(default_factory=dict)


def answer(value: Any, status: int = 200, **headers: str) -> Answer:
    """`value` written as JSON (Decimals digit for digit), with `status` and `headers`."""
    return Answer(status, dumps_exact(value).encode(), headers)


GOOD_TOKEN = answer({"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600})


@dataclass
class Script:
    """What the hostile upstream answers now: `api` everywhere, `token` at the token path."""

    api: Answer = field(default_factory=Answer)
    token: Answer = GOOD_TOKEN


# -- the methods and a valid answer of each ----------------------------------------------------

PARAMS = {
    "creator": "CREATOR",
    "decimals": 6,
    "default-frozen": False,
    "name": "USDC",
    "name-b64": "VVNEQw==",
    "total": 10**12,
    "unit-name": "USDC",
    "unit-name-b64": "VVNEQw==",
    "url": "https://example.org",
}
HOLDING = {
    "asset-holding": {"amount": 5, "asset-id": 7, "is-frozen": False},
    "asset-params": PARAMS,
}
POSITION = {
    "asset_symbol": "BTC",
    "asset_holdings": "1.5",
    "staked_holdings": Decimal("0.5"),
    "time_fetched": "2019-08-24T14:15:22.123Z",
    "provider_id": "coinbase",
    "price_in_usd": Decimal("64000.01"),
    "wallet_address_redacted": "0x71C7…976F",
    "chain": "eth",
}
MESH_POSITION = {
    "symbol": "ETH",
    "name": "Ethereum",
    "amount": Decimal("0.260325"),
    "costBasis": 1800,
    "marketValue": Decimal("912.5"),
    "lastPrice": 3500,
    "portfolioPercentage": 10,
    "totalReturn": Decimal("-12.5"),
    "returnPercentage": Decimal("-1.2"),
    "distribution": [{"caipNetworkId": "eip155:1", "address": "0x1", "amount": Decimal("0.26")}],
}


@dataclass
class Clients:
    algod: AlgodClient
    cardanobi: CardanoBIClient
    calico: CalicoClient
    mesh: MeshClient


Call = Callable[[Clients], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    call: Call
    valid: Any
    """A body the method reads without complaint."""


METHODS: dict[str, Method] = {
    "algod.account_assets": Method(
        lambda c: c.algod.account_assets(ADDRESS),
        {"round": 10, "next-token": "7", "asset-holdings": [HOLDING]},
    ),
    "algod.asset": Method(lambda c: c.algod.asset(7), {"index": 7, "params": PARAMS}),
    "algod.account": Method(
        lambda c: c.algod.account(ADDRESS),
        {"address": ADDRESS, "amount": 5, "round": 10, "total-assets-opted-in": 1},
    ),
    "cardanobi.account_assets": Method(
        lambda c: c.cardanobi.account_assets(STAKE, top=20),
        [{"policy_hex": POLICY, "fingerprint": FINGERPRINT, "name": "n", "quantity": 5}],
    ),
    "cardanobi.account": Method(
        lambda c: c.cardanobi.account(STAKE),
        {"stake_address": STAKE, "total_balance": 5, "is_registered": True, "pool_id": "pool1x"},
    ),
    "cardanobi.asset": Method(
        lambda c: c.cardanobi.asset(FINGERPRINT),
        [{"fingerprint": FINGERPRINT, "policy_hex": POLICY, "name": "n", "total_supply": 5}],
    ),
    "calico.assets": Method(
        lambda c: c.calico.assets("user-token"),
        {
            "page": {"next_uri": "/accounts/v2/assets?cursor=abc"},
            "errors": [{"provider_id": "binance", "cause": "unauthorized"}],
            "data": {"assets": [POSITION]},
        },
    ),
    "calico.refresh": Method(
        lambda c: c.calico.refresh("user-token"), {"data": {"response": True}, "errors": []}
    ),
    "mesh.portfolio": Method(
        lambda c: c.mesh.portfolio("alice"),
        {
            "status": "ok",
            "content": {
                "portfolioCostBasis": 1800,
                "equitiesValue": 0,
                "cryptocurrenciesValue": Decimal("912.5"),
                "nftsValue": 0,
                "equityPositions": None,
                "cryptocurrencyPositions": [MESH_POSITION],
                "nftPositions": [{"amount": 1, "marketValue": Decimal("0.5")}],
            },
        },
    ),
}


# -- hostile answers ---------------------------------------------------------------------------


def leaves(value: Any, change: Callable[[Any], Any]) -> Any:
    """`value` with every leaf (not an object or array) replaced by `change(leaf)`."""
    if isinstance(value, dict):
        return {key: leaves(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [leaves(item, change) for item in value]
    return change(value)


def numbers_to(text: str) -> Callable[[Any], Any]:
    """A leaf change that writes every JSON number (not a boolean) as `text`."""

    def change(leaf: Any) -> Any:
        if isinstance(leaf, int | Decimal) and not isinstance(leaf, bool):
            return Decimal(text)
        return leaf

    return change


def wrong_type(leaf: Any) -> Any:
    """A value of another JSON type than `leaf`'s (a number becomes an array, since a
    numeric string is a valid number in some APIs)."""
    if isinstance(leaf, bool):
        return "true"
    if isinstance(leaf, str):
        return 7
    if isinstance(leaf, int | Decimal):
        return []
    return leaf


def with_path(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of `value` with the item at `path` set to `new`."""
    changed = copy.deepcopy(value)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return changed


HUGE = "9" * 5000
Hostile = Callable[[Any], Answer]
"""A hostile answer, made from a method's valid body."""

EVERY_METHOD: dict[str, Hostile] = {
    "503 with a 5000-digit Retry-After": lambda v: answer(v, 503, **{"Retry-After": HUGE}),
    "503 with Retry-After '²'": lambda v: answer(v, 503, **{"Retry-After": "\u00b2"}),
    "503 with an overflowing Retry-After date": lambda v: answer(
        v, 503, **{"Retry-After": "Mon, Jan 20 00:00:00 " + "9" * 30}
    ),
    "200 tooManyRequest with a 5000-digit Retry-After": lambda v: answer(
        {"status": "tooManyRequest"}, 200, **{"Retry-After": HUGE}
    ),
    "401 with a deeply nested body": lambda v: Answer(401, b"[" * 100_000),
    "deeply nested arrays": lambda v: Answer(200, b"[" * 100_000),
    "deeply nested objects": lambda v: Answer(200, b'{"a":' * 100_000),
    "a 5000-digit integer": lambda v: Answer(200, b"1" * 5000),
    "null": lambda v: Answer(200, b"null"),
    "null everywhere": lambda v: answer(leaves(v, lambda _: None)),
    "wrong types everywhere": lambda v: answer(leaves(v, wrong_type)),
    "every number 1e999999999999999999": lambda v: answer(
        leaves(v, numbers_to("1e999999999999999999"))
    ),
    "every number 1E+5000": lambda v: answer(leaves(v, numbers_to("1E+5000"))),
    "every number -1E+5000": lambda v: answer(leaves(v, numbers_to("-1E+5000"))),
    "every number 0E-999999999": lambda v: answer(leaves(v, numbers_to("0E-999999999"))),
}


def set_at(*path: Any, to: Any) -> Hostile:
    """The valid body with the item at `path` set to `to`."""
    return lambda valid: answer(with_path(valid, path, to))


ASSET_0 = ("data", "assets", 0)
CRYPTO_0 = ("content", "cryptocurrencyPositions", 0)
HOLDING_0_PARAMS = ("asset-holdings", 0, "asset-params")

ONE_METHOD: dict[str, dict[str, Hostile]] = {
    "algod.account_assets": {
        "non-ASCII name-b64": set_at(*HOLDING_0_PARAMS, "name-b64", to="é"),
        "a 5000-digit next-token": set_at("next-token", to=HUGE),
        "a next-token of non-ASCII digits": set_at("next-token", to="\u0667"),
        "a next-token past the last id": set_at("next-token", to="9"),
        "a next-token on an empty page": set_at("asset-holdings", to=[]),
    },
    "algod.asset": {
        "non-ASCII name-b64": set_at("params", "name-b64", to="é"),
    },
    "calico.assets": {
        "next_uri with an unbalanced IPv6 host": set_at(
            "page", "next_uri", to="https://[::1/x?cursor=a"
        ),
        "time_fetched before year 1 in UTC": set_at(
            *ASSET_0, "time_fetched", to="0001-01-01T00:00:00+01:00"
        ),
        "time_fetched after year 9999 in UTC": set_at(
            *ASSET_0, "time_fetched", to="9999-12-31T23:59:59-01:00"
        ),
        "time_fetched in Arabic-Indic digits": set_at(
            *ASSET_0, "time_fetched", to="\u0662\u0660\u0661\u0669-08-24T14:15:22Z"
        ),
        "asset_holdings '1e999999999999999999'": set_at(
            *ASSET_0, "asset_holdings", to="1e999999999999999999"
        ),
        "asset_holdings in Arabic-Indic digits": set_at(
            *ASSET_0, "asset_holdings", to="\u0661\u0662\u0663"
        ),
        "asset_holdings '1_000'": set_at(*ASSET_0, "asset_holdings", to="1_000"),
        "asset_holdings ' 1 '": set_at(*ASSET_0, "asset_holdings", to=" 1 "),
        "asset_holdings '-0.5'": set_at(*ASSET_0, "asset_holdings", to="-0.5"),
    },
    "cardanobi.account": {
        "another stake address": set_at("stake_address", to=STAKE[:-1] + "x"),
    },
    "mesh.portfolio": {
        "an amount in non-ASCII digits": set_at(*CRYPTO_0, "amount", to="\u0661"),
        "a totalReturn of -1E+5000": set_at(*CRYPTO_0, "totalReturn", to=Decimal("-1E+5000")),
    },
}

HARMLESS = {
    ("cardanobi.account", "every number 0E-999999999"),
    ("cardanobi.account_assets", "every number 0E-999999999"),
    ("cardanobi.asset", "every number 1e999999999999999999"),
    ("cardanobi.asset", "every number 1E+5000"),
    ("cardanobi.asset", "every number -1E+5000"),
    ("cardanobi.asset", "every number 0E-999999999"),
}
"""Not hostile for that method: CardanoBI writes lovelace and quantities as doubles, and
`0E-999999999` is exactly the whole number 0, which the client reads as the int 0; the asset's
only number, `total_supply`, is not read at all (the graph does not serve it)."""

TOKEN_ANSWERS: dict[str, Answer] = {
    "token refused with a deeply nested body": Answer(400, b"[" * 100_000),
    "token refused with deeply nested objects": Answer(401, b'{"a":' * 100_000),
    "token 503 with a 5000-digit Retry-After": Answer(503, b"{}", {"Retry-After": HUGE}),
    "token deeply nested": Answer(200, b"[" * 100_000),
    "token expires_in 1E+5000": Answer(200, b'{"access_token": "t", "expires_in": 1E+5000}'),
}


def _cases() -> list[Any]:
    cases = []
    for method_name, method in METHODS.items():
        hostile = {**EVERY_METHOD, **ONE_METHOD.get(method_name, {})}
        for case_name, make in hostile.items():
            made = make(method.valid)
            if made == answer(method.valid) or (method_name, case_name) in HARMLESS:
                continue  # nothing hostile left in this method's answer
            cases.append(
                pytest.param(method_name, made, GOOD_TOKEN, id=f"{method_name}: {case_name}")
            )
        if method_name.startswith("cardanobi."):
            for case_name, token in TOKEN_ANSWERS.items():
                cases.append(
                    pytest.param(
                        method_name, answer(method.valid), token, id=f"{method_name}: {case_name}"
                    )
                )
    return cases


# -- the hostile upstream and the clients ------------------------------------------------------


def _handler(script: Script) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve(request: web.Request) -> web.Response:
        sent = script.token if request.path == TOKEN_PATH else script.api
        await request.read()
        return web.Response(
            status=sent.status,
            body=sent.body,
            headers={"Content-Type": "application/json", **sent.headers},
        )

    return serve


@dataclass
class HostileUpstream:
    server: Loopback
    script: Script
    https: dict[Source, HttpUpstream]
    identity: HttpUpstream

    def clients(self) -> Clients:
        """New clients (so a new CardanoBI token cache) over the shared upstreams."""
        return Clients(
            algod=AlgodClient(self.https[Source.ALGORAND], "algod-token"),
            cardanobi=CardanoBIClient(
                self.https[Source.CARDANO],
                identity=self.identity,
                api_key="key",
                api_secret="secret",
            ),
            calico=CalicoClient(self.https[Source.CALICO]),
            mesh=MeshClient(self.https[Source.MESH], client_id="id", client_secret="secret"),
        )


@pytest_asyncio.fixture(scope="module")
async def hostile() -> AsyncIterator[HostileUpstream]:
    script = Script()
    async with serving([web.route("*", "/{tail:.*}", _handler(script))]) as server:
        options = {"timeouts": Timeouts(connect=1.0, total=5.0), "max_body_bytes": CAP}
        https = {source: upstream_of(source, server.url, **options) for source in SOURCES.sources}
        identity = upstream_of(
            Source.CARDANO, server.url + TOKEN_PATH, name=IDENTITY_SERVER, **options
        )
        for http in (*https.values(), identity):
            await http.start()
        try:
            yield HostileUpstream(server, script, https, identity)
        finally:
            for http in (*https.values(), identity):
                await http.close()


async def _outcome(hostile: HostileUpstream, method: str, api: Answer, token: Answer) -> Any:
    hostile.script.api, hostile.script.token = api, token
    return await asyncio.wait_for(METHODS[method].call(hostile.clients()), 10)


@pytest.mark.parametrize("method", METHODS)
async def test_the_valid_answer_is_read(hostile: HostileUpstream, method: str) -> None:
    await _outcome(hostile, method, answer(METHODS[method].valid), GOOD_TOKEN)


def rejected_in(outcome: Any) -> list[Rejected]:
    """The items a client's answer says it could not read (a page's entries, a portfolio's)."""
    entries = getattr(outcome, "entries", None) or getattr(outcome, "rejected", None) or ()
    return [entry for entry in entries if isinstance(entry, Rejected)]


@pytest.mark.parametrize(("method", "api", "token"), _cases())
async def test_a_hostile_answer_is_refused_with_an_upstream_error(
    hostile: HostileUpstream, method: str, api: Answer, token: Answer
) -> None:
    started = time.monotonic()
    try:
        outcome = await _outcome(hostile, method, api, token)
    except UpstreamError:
        pass
    else:
        rejected = rejected_in(outcome)
        assert rejected, f"{method} read a hostile answer without complaint: {outcome!r}"
        assert all(isinstance(item.error, UpstreamBadResponse) for item in rejected)
    assert time.monotonic() - started < QUICKLY


@pytest.mark.parametrize("method", METHODS)
async def test_a_gzip_bomb_over_the_cap_is_refused(hostile: HostileUpstream, method: str) -> None:
    valid = json.dumps(METHODS[method].valid, default=str).encode()
    bomb = Answer(
        200,
        gzip_of_zeros(8 * CAP, prefix=valid[:1]),
        {"Content-Encoding": "gzip"},
    )
    started = time.monotonic()
    with pytest.raises(UpstreamBadResponse, match=f"larger than {CAP} bytes"):
        await _outcome(hostile, method, bomb, GOOD_TOKEN)
    assert time.monotonic() - started < QUICKLY
