"""The sandbox's identity server (`POST /connect/token`) and its `/_sandbox/token` control route
behave as Duende IdentityServer does for CardanoBI (UPSTREAMS.md §2.3)."""

import asyncio
import base64
import json

import aiohttp
import pytest

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_API_SECRET,
    TOKEN_PATH,
    CardanoBISandbox,
)
from sources.http import HttpUpstream
from sources.sandboxing import start_sandbox
from sources.source import Source

from .support import Control

ACCOUNT = f"/api/core/accounts/{data.COLLECTOR}"


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


async def test_basic_auth_client_gets_a_bearer_token_for_an_hour(control: Control) -> None:
    response = await control.raw(
        "POST",
        TOKEN_PATH,
        headers=basic(SANDBOX_API_KEY, SANDBOX_API_SECRET),
        data={"grant_type": "client_credentials"},
    )
    assert response.status == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}
    assert body["expires_in"] == 3600
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "cardanobi-core-read cardanobi-bi-read"
    assert len(body["access_token"]) >= 32
    assert "no-store" in response.headers["Cache-Control"]


async def test_form_body_client_credentials_are_accepted(control: Control) -> None:
    token = await control.new_token()
    assert (await control.api(ACCOUNT, token=token)).status == 200


async def test_every_token_is_different(control: Control) -> None:
    assert await control.new_token() != await control.new_token()


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        (SANDBOX_API_KEY, "wrong-secret"),
        ("unknown-client", SANDBOX_API_SECRET),
        (SANDBOX_API_KEY, ""),
    ],
)
async def test_wrong_client_is_refused_with_invalid_client(
    control: Control, key: str, secret: str
) -> None:
    response = await control.raw(
        "POST", TOKEN_PATH, headers=basic(key, secret), data={"grant_type": "client_credentials"}
    )
    assert response.status == 400
    assert response.json() == {"error": "invalid_client"}


async def test_no_client_at_all_is_refused_with_invalid_client(control: Control) -> None:
    response = await control.raw("POST", TOKEN_PATH, data={"grant_type": "client_credentials"})
    assert response.status == 400
    assert response.json() == {"error": "invalid_client"}


@pytest.mark.parametrize("grant", [{"grant_type": "password"}, {"grant_type": ""}, {}])
async def test_other_grant_types_are_refused_with_unsupported_grant_type(
    control: Control, grant: dict[str, str]
) -> None:
    response = await control.raw(
        "POST", TOKEN_PATH, headers=basic(SANDBOX_API_KEY, SANDBOX_API_SECRET), data=grant
    )
    assert response.status == 400
    assert response.json() == {"error": "unsupported_grant_type"}


async def test_a_token_request_that_is_not_a_form_is_an_invalid_request(control: Control) -> None:
    response = await control.raw(
        "POST",
        TOKEN_PATH,
        headers={
            **basic(SANDBOX_API_KEY, SANDBOX_API_SECRET),
            "Content-Type": "application/json",
        },
        data=b'{"grant_type": "client_credentials"}',
    )
    assert response.status == 400
    assert response.json() == {"error": "invalid_request"}


async def test_unknown_scope_is_refused_with_invalid_scope(control: Control) -> None:
    response = await control.raw(
        "POST",
        TOKEN_PATH,
        headers=basic(SANDBOX_API_KEY, SANDBOX_API_SECRET),
        data={"grant_type": "client_credentials", "scope": "cardanobi-admin"},
    )
    assert response.status == 400
    assert response.json() == {"error": "invalid_scope"}


async def test_a_token_without_the_core_read_scope_gets_an_empty_403(control: Control) -> None:
    response = await control.raw(
        "POST",
        TOKEN_PATH,
        headers=basic(SANDBOX_API_KEY, SANDBOX_API_SECRET),
        data={"grant_type": "client_credentials", "scope": "cardanobi-bi-read"},
    )
    assert response.json()["scope"] == "cardanobi-bi-read"
    api = await control.api(ACCOUNT, token=response.json()["access_token"])
    assert (api.status, api.body) == (403, b"")


async def test_control_route_sets_the_lifetime_of_new_tokens(control: Control) -> None:
    assert (await control.token_settings(expires_in=120))["expires_in"] == 120
    response = await control.raw(
        "POST",
        TOKEN_PATH,
        headers=basic(SANDBOX_API_KEY, SANDBOX_API_SECRET),
        data={"grant_type": "client_credentials"},
    )
    assert response.json()["expires_in"] == 120


async def test_a_token_stops_working_when_it_expires(control: Control) -> None:
    await control.token_settings(expires_in=1)
    token = await control.new_token()
    assert (await control.api(ACCOUNT, token=token)).status == 200
    await asyncio.sleep(1.05)
    expired = await control.api(ACCOUNT, token=token)
    assert (expired.status, expired.body) == (401, b"")
    assert expired.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


async def test_revoke_invalidates_every_issued_token(control: Control) -> None:
    first, second = await control.new_token(), await control.new_token()
    settings = await control.token_settings(revoke=True)
    assert settings["revoked"] >= 2
    assert (await control.api(ACCOUNT, token=first)).status == 401
    assert (await control.api(ACCOUNT, token=second)).status == 401
    assert (await control.api(ACCOUNT)).status == 200  # a new token works


async def test_reset_restores_the_default_lifetime_but_revokes_nothing(control: Control) -> None:
    await control.token_settings(expires_in=30)
    token = await control.new_token()
    await control.reset()
    assert (await control.api(ACCOUNT, token=token)).status == 200
    fresh = await control.raw(
        "POST",
        TOKEN_PATH,
        headers=basic(SANDBOX_API_KEY, SANDBOX_API_SECRET),
        data={"grant_type": "client_credentials"},
    )
    assert fresh.json()["expires_in"] == 3600


@pytest.mark.parametrize(
    "body",
    [{"expires_in": 0}, {"expires_in": "60"}, {"expires_in": True}, {"revoke": "yes"}, {"x": 1}],
)
async def test_control_route_refuses_bad_settings(
    control: Control, body: dict[str, object]
) -> None:
    response = await control.raw(
        "POST",
        "/_sandbox/token",
        headers={"Content-Type": "application/json"},
        data=json.dumps(body).encode(),
    )
    assert response.status == 400
    assert "error" in response.json()


async def test_token_requests_are_counted_by_route(control: Control) -> None:
    await control.new_token()
    await control.new_token()
    assert await control.count("POST /connect/token") == 2


async def test_expired_tokens_are_forgotten_when_a_new_one_is_issued(
    control_http: aiohttp.ClientSession,
) -> None:
    now = [1000.0]
    running = await start_sandbox(CardanoBISandbox(token_ttl=60, clock=lambda: now[0]))
    http = HttpUpstream(Source.CARDANO, running.url)
    await http.start()
    try:
        control = Control(control_http, running.url, http)
        for _ in range(3):
            await control.new_token()  # never used again, so never refused as expired
        now[0] += 61
        await control.new_token()
        assert (await control.token_settings(revoke=True))["revoked"] == 1
    finally:
        await http.close()
        await running.close()
