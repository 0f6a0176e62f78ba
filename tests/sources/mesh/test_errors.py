"""Every way Mesh can fail becomes the right `UpstreamError`, and none leaks a credential."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio

from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.http import HttpUpstream, Timeouts
from sources.mesh import MeshClient
from sources.mesh import sandbox_data as data
from sources.mesh.sandbox import (
    MAX_USER_ID_LENGTH,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    TOO_MANY_REQUEST_RETRY_AFTER,
)
from sources.sandboxing import RunningSandbox
from sources.source import Source
from tests.sources.building import upstream_of
from tests.sources.mesh.conftest import MeshControl

WRONG_ID = "client-id-that-must-not-leak-4f1c"
WRONG_SECRET = "client-secret-that-must-not-leak-9b2e"
SECRETS = (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, WRONG_ID, WRONG_SECRET)


@pytest_asyncio.fixture(scope="module")
async def impatient_http(mesh_sandbox: RunningSandbox) -> AsyncIterator[HttpUpstream]:
    """A connection to the sandbox that gives up after 0.2 s."""
    http = upstream_of(Source.MESH, mesh_sandbox.url, timeouts=Timeouts(connect=1, total=0.2))
    await http.start()
    yield http
    await http.close()


def _client(http: HttpUpstream, *, client_id: str, client_secret: str) -> MeshClient:
    return MeshClient(http, client_id=client_id, client_secret=client_secret)


async def _error_of(call: Awaitable[object]) -> UpstreamError:
    with pytest.raises(UpstreamError) as caught:
        await call
    return caught.value


async def test_wrong_client_secret_is_unauthorized(mesh_http: HttpUpstream) -> None:
    client = _client(mesh_http, client_id=SANDBOX_CLIENT_ID, client_secret=WRONG_SECRET)
    error = await _error_of(client.portfolio(data.ALICE))
    assert (type(error), error.status) == (UpstreamUnauthorized, 401)


async def test_wrong_client_id_is_unauthorized(mesh_http: HttpUpstream) -> None:
    client = _client(mesh_http, client_id=WRONG_ID, client_secret=SANDBOX_CLIENT_SECRET)
    error = await _error_of(client.portfolio(data.ALICE))
    assert (type(error), error.status) == (UpstreamUnauthorized, 401)


async def test_200_with_server_failure_is_unavailable(client: MeshClient) -> None:
    error = await _error_of(client.portfolio(data.FAILING_USER))
    assert (type(error), error.status) == (UpstreamUnavailable, 200)
    assert "serverFailure" in error.message


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("serverFailure", UpstreamUnavailable),
        ("unavailableForLegalReasons", UpstreamUnavailable),
        ("locked", UpstreamUnavailable),
        ("tooManyRequest", UpstreamRateLimited),
        ("permissionDenied", UpstreamUnauthorized),
        ("badRequest", UpstreamBadResponse),
        ("notFound", UpstreamBadResponse),
        ("conflict", UpstreamBadResponse),
    ],
)
async def test_each_non_ok_status_in_a_200_maps_to_its_error(
    client: MeshClient, status: str, expected: type[UpstreamError]
) -> None:
    error = await _error_of(client.portfolio(data.status_user(status)))
    assert type(error) is expected
    assert error.source is Source.MESH


async def test_too_many_request_in_a_200_carries_retry_after(client: MeshClient) -> None:
    error = await _error_of(client.portfolio(data.status_user("tooManyRequest")))
    assert error.retry_after_seconds == TOO_MANY_REQUEST_RETRY_AFTER


async def test_missing_user_id_is_a_bad_response(client: MeshClient) -> None:
    error = await _error_of(client.portfolio(""))
    assert (type(error), error.status) == (UpstreamBadResponse, 400)
    assert "missingField" in error.message


async def test_too_long_user_id_is_a_bad_response(client: MeshClient) -> None:
    error = await _error_of(client.portfolio("u" * (MAX_USER_ID_LENGTH + 1)))
    assert (type(error), error.status) == (UpstreamBadResponse, 400)
    assert "invalidField" in error.message


async def test_mesh_free_text_is_not_repeated(client: MeshClient) -> None:
    error = await _error_of(client.portfolio(data.FAILING_USER))
    assert "Internal server error" not in str(error)


async def test_injected_429_is_rate_limited_with_retry_after(
    client: MeshClient, control: MeshControl
) -> None:
    await control.faults(status=429, retry_after=7)
    error = await _error_of(client.portfolio(data.ALICE))
    assert (type(error), error.status, error.retry_after_seconds) == (UpstreamRateLimited, 429, 7)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_injected_5xx_is_unavailable(
    client: MeshClient, control: MeshControl, status: int
) -> None:
    await control.faults(status=status)
    error = await _error_of(client.portfolio(data.ALICE))
    assert (type(error), error.status) == (UpstreamUnavailable, status)


@pytest.mark.parametrize("status", [401, 403])
async def test_injected_auth_failure_is_unauthorized(
    client: MeshClient, control: MeshControl, status: int
) -> None:
    await control.faults(status=status)
    error = await _error_of(client.portfolio(data.ALICE))
    assert (type(error), error.status) == (UpstreamUnauthorized, status)


@pytest.mark.parametrize("status", [400, 404])
async def test_injected_client_error_is_a_bad_response(
    client: MeshClient, control: MeshControl, status: int
) -> None:
    await control.faults(status=status)
    error = await _error_of(client.portfolio(data.ALICE))
    assert (type(error), error.status) == (UpstreamBadResponse, status)


async def test_malformed_answer_is_a_bad_response(client: MeshClient, control: MeshControl) -> None:
    await control.faults(malformed=True)
    error = await _error_of(client.portfolio(data.ALICE))
    assert type(error) is UpstreamBadResponse
    assert "equityPositions" in error.message


async def test_dropped_connection_is_unavailable(client: MeshClient, control: MeshControl) -> None:
    await control.faults(drop=True)
    error = await _error_of(client.portfolio(data.ALICE))
    assert type(error) is UpstreamUnavailable


async def test_slow_body_past_the_timeout_is_a_timeout(
    impatient_http: HttpUpstream, control: MeshControl
) -> None:
    await control.faults(slow_body_ms=1000)
    client = _client(
        impatient_http, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET
    )
    error = await _error_of(client.portfolio(data.ALICE))
    assert type(error) is UpstreamTimeout


async def test_fault_limited_to_another_path_leaves_mesh_alone(
    client: MeshClient, control: MeshControl
) -> None:
    await control.faults(status=503, path="/somewhere-else")
    portfolio = await client.portfolio(data.BOB)
    assert str(portfolio.equity_positions[0].market_value) == "5191.5"


Scenario = Callable[[HttpUpstream, MeshControl], Awaitable[object]]


async def _wrong_secret(http: HttpUpstream, control: MeshControl) -> object:
    return await _client(http, client_id=WRONG_ID, client_secret=WRONG_SECRET).portfolio("x")


async def _with_fault(http: HttpUpstream, control: MeshControl, **faults: object) -> object:
    await control.faults(**faults)
    client = _client(http, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET)
    return await client.portfolio(data.ALICE)


async def _as_user(http: HttpUpstream, user: str) -> object:
    client = _client(http, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET)
    return await client.portfolio(user)


SCENARIOS: dict[str, Scenario] = {
    "wrong credentials": _wrong_secret,
    "429": lambda http, control: _with_fault(http, control, status=429, retry_after=3),
    "503": lambda http, control: _with_fault(http, control, status=503),
    "403": lambda http, control: _with_fault(http, control, status=403),
    "malformed": lambda http, control: _with_fault(http, control, malformed=True),
    "drop": lambda http, control: _with_fault(http, control, drop=True),
    "serverFailure": lambda http, control: _as_user(http, data.FAILING_USER),
    "permissionDenied": lambda http, control: _as_user(http, data.status_user("permissionDenied")),
    "badRequest": lambda http, control: _as_user(http, ""),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_no_error_carries_a_credential(
    mesh_http: HttpUpstream, control: MeshControl, scenario: str
) -> None:
    error = await _error_of(SCENARIOS[scenario](mesh_http, control))
    shown = " ".join([str(error), repr(error), error.message, *map(str, error.args)])
    assert [secret for secret in SECRETS if secret in shown] == []


def test_client_repr_hides_the_credentials(mesh_http: HttpUpstream) -> None:
    client = _client(mesh_http, client_id=WRONG_ID, client_secret=WRONG_SECRET)
    assert WRONG_ID not in repr(client)
    assert WRONG_SECRET not in repr(client)


def test_client_repr_shows_no_url() -> None:
    # A base URL may carry user:password, which aiohttp would send as Basic auth.
    http = HttpUpstream(Source.MESH, "http://mesh-user:mesh-password@127.0.0.1:9")
    client = _client(http, client_id=WRONG_ID, client_secret=WRONG_SECRET)
    assert "mesh-password" not in repr(client)
    assert "127.0.0.1" not in repr(client)
