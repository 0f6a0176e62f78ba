"""The client's OAuth2 client-credentials handling: one token shared by every caller until shortly
before it expires, a fresh one after a 401, refused credentials as `UpstreamUnauthorized`."""

import asyncio

import pytest

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.auth import AccessTokenCache
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.sandbox import SANDBOX_API_KEY, SANDBOX_API_SECRET, TOKEN_PATH
from sources.errors import UpstreamBadResponse, UpstreamUnauthorized, UpstreamUnavailable
from sources.http import HttpUpstream

from .support import Control

TOKEN_ROUTE = "POST /connect/token"
ACCOUNT_ROUTE = "GET /api/core/accounts/{stake_address}"
ASSETS_ROUTE = "GET /api/core/accounts/{stake_address}/assets"


class FakeClock:
    """Monotonic seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_cache(identity: HttpUpstream, clock: FakeClock) -> AccessTokenCache:
    return AccessTokenCache(
        identity, api_key=SANDBOX_API_KEY, api_secret=SANDBOX_API_SECRET, clock=clock
    )


def client_with(
    http: HttpUpstream, identity: HttpUpstream, *, key: str, secret: str
) -> CardanoBIClient:
    return CardanoBIClient(http, identity=identity, api_key=key, api_secret=secret)


async def test_twenty_concurrent_first_calls_make_one_token_request(
    client: CardanoBIClient, control: Control
) -> None:
    await control.faults(latency_ms=50, path=TOKEN_PATH)
    await control.settings(odata=True)
    # Twenty different reads: identical ones would share one call (the single flight).
    pages = await asyncio.gather(
        *(client.account_assets(data.COLLECTOR, top=n) for n in range(1, 21))
    )
    assert [len(page.assets) for page in pages] == list(range(1, 21))
    assert await control.count(TOKEN_ROUTE) == 1
    assert await control.count(ASSETS_ROUTE) == 20


async def test_the_token_is_reused_by_later_calls(
    client: CardanoBIClient, control: Control
) -> None:
    for _ in range(5):
        await client.account(data.SMALL)
    await client.account_assets(data.SMALL, top=20)
    await client.asset(data.tokens()[data.SMALL][0].fingerprint)
    assert await control.count(TOKEN_ROUTE) == 1


async def test_the_token_is_refetched_before_it_expires(
    client: CardanoBIClient, control: Control
) -> None:
    await control.token_settings(expires_in=1)
    await client.account(data.SMALL)
    await asyncio.sleep(1.0)
    await client.account(data.SMALL)
    assert await control.count(TOKEN_ROUTE) == 2
    assert await control.count(ACCOUNT_ROUTE, "401") == 0  # refreshed before the API refused it


@pytest.mark.parametrize(
    ("expires_in", "kept_until", "refreshed_at"),
    [(3600, 3539.9, 3540.0), (100, 89.9, 90.0), (20, 17.9, 18.0)],
)
async def test_refresh_happens_when_less_than_min_60s_or_a_tenth_remains(
    identity: HttpUpstream,
    control: Control,
    expires_in: int,
    kept_until: float,
    refreshed_at: float,
) -> None:
    await control.token_settings(expires_in=expires_in)
    clock = FakeClock()
    cache = token_cache(identity, clock)
    first = await cache.token()
    start = clock.now
    clock.now = start + kept_until
    assert await cache.token() == first
    clock.now = start + refreshed_at
    assert await cache.token() != first
    assert await control.count(TOKEN_ROUTE) == 2


async def test_a_revoked_token_gets_one_401_then_one_new_token_and_a_retry(
    client: CardanoBIClient, control: Control
) -> None:
    await client.account(data.COLLECTOR)
    await control.token_settings(revoke=True)
    info = await client.account(data.COLLECTOR)
    assert info is not None and info.total_balance == data.COLLECTOR_ADA
    assert await control.count(TOKEN_ROUTE) == 2
    assert await control.count(ACCOUNT_ROUTE, "401") == 1
    assert await control.count(ACCOUNT_ROUTE, "200") == 2


async def test_concurrent_calls_with_a_revoked_token_share_one_new_token(
    client: CardanoBIClient, control: Control
) -> None:
    await client.account(data.COLLECTOR)
    await control.token_settings(revoke=True)
    # Ten different reads: identical ones would share one call (the single flight).
    await asyncio.gather(*(client.account_assets(data.COLLECTOR, top=n) for n in range(1, 11)))
    assert await control.count(TOKEN_ROUTE) == 2
    assert await control.count(ASSETS_ROUTE, "401") == 10


async def test_a_second_401_is_unauthorized_after_exactly_one_retry(
    client: CardanoBIClient, control: Control
) -> None:
    await control.faults(status=401, path="/api/core")
    with pytest.raises(UpstreamUnauthorized) as caught:
        await client.account(data.COLLECTOR)
    assert caught.value.status == 401
    assert await control.count(ACCOUNT_ROUTE, "401") == 2
    assert await control.count(TOKEN_ROUTE) == 2


@pytest.mark.parametrize(
    ("key", "secret"),
    [(SANDBOX_API_KEY, "wrong-secret"), ("wrong-key", SANDBOX_API_SECRET)],
)
async def test_wrong_client_credentials_are_unauthorized(
    http: HttpUpstream, identity: HttpUpstream, control: Control, key: str, secret: str
) -> None:
    client = client_with(http, identity, key=key, secret=secret)
    with pytest.raises(UpstreamUnauthorized) as caught:
        await client.account_assets(data.COLLECTOR, top=20)
    assert caught.value.status == 400
    assert "invalid_client" in caught.value.message
    assert (await control.stats())["total"] == 1  # the API was never asked


async def test_an_identity_server_answering_401_is_unauthorized(
    client: CardanoBIClient, control: Control
) -> None:
    await control.faults(status=401, path=TOKEN_PATH)
    with pytest.raises(UpstreamUnauthorized):
        await client.account(data.COLLECTOR)


async def test_a_403_from_the_gateway_is_unauthorized(
    client: CardanoBIClient, control: Control
) -> None:
    await control.faults(status=403, path="/api/core")
    with pytest.raises(UpstreamUnauthorized) as caught:
        await client.account(data.COLLECTOR)
    assert caught.value.status == 403


async def test_callers_waiting_on_a_failed_token_request_share_its_failure(
    client: CardanoBIClient, control: Control
) -> None:
    await control.faults(status=503, path=TOKEN_PATH, latency_ms=50)
    results = await asyncio.gather(
        *(client.account(data.COLLECTOR) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(result, UpstreamUnavailable) for result in results)
    assert await control.count(TOKEN_ROUTE, "503") == 1


async def test_after_a_failed_token_request_the_next_call_tries_again(
    client: CardanoBIClient, control: Control
) -> None:
    await control.faults(status=503, path=TOKEN_PATH)
    with pytest.raises(UpstreamUnavailable):
        await client.account(data.COLLECTOR)
    await control.reset()
    assert await client.account(data.COLLECTOR) is not None
    assert await control.count(TOKEN_ROUTE) == 1


async def test_a_malformed_token_response_is_a_bad_response(
    client: CardanoBIClient, control: Control
) -> None:
    await control.faults(malformed=True, path=TOKEN_PATH)
    with pytest.raises(UpstreamBadResponse):
        await client.account(data.COLLECTOR)
