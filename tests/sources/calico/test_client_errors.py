"""Every way a Calico call can fail maps to its `UpstreamError`, and no message shows a token."""

from typing import Any

import pytest

from sources.calico.client import CalicoClient
from sources.calico.records import RefreshResult
from sources.calico.sandbox import CalicoSandbox
from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthenticated,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.http import HttpUpstream, Timeouts
from sources.source import Source

from .support import ALICE, ScriptedCalico, served, set_faults, stats

FAULTS: list[tuple[dict[str, Any], type[UpstreamError]]] = [
    ({"status": 500}, UpstreamUnavailable),
    ({"status": 503}, UpstreamUnavailable),
    ({"status": 429, "retry_after": 7}, UpstreamRateLimited),
    ({"status": 401}, UpstreamUnauthorized),
    ({"status": 403}, UpstreamUnauthorized),
    ({"status": 404}, UpstreamBadResponse),
    ({"malformed": True}, UpstreamBadResponse),
    ({"drop": True}, UpstreamUnavailable),
]


def chain_text(exc: BaseException) -> str:
    """Everything an error and its causes would show in a log."""
    parts = []
    current: BaseException | None = exc
    while current is not None:
        parts += [str(current), repr(current), *map(str, current.args)]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


async def test_a_wrong_token_is_unauthorized(client: CalicoClient) -> None:
    with pytest.raises(UpstreamUnauthorized) as caught:
        await client.assets("sandbox-calico-mallory")
    assert (caught.value.status, caught.value.source) == (401, Source.CALICO)


async def test_a_wrong_token_on_refresh_is_unauthorized(client: CalicoClient) -> None:
    with pytest.raises(UpstreamUnauthorized):
        await client.refresh("sandbox-calico-mallory")


@pytest.mark.parametrize("token", ["", "two words", "line\nbreak", "tab\there"])
async def test_an_impossible_token_is_refused_without_a_request(
    client: CalicoClient, http: HttpUpstream, token: str
) -> None:
    with pytest.raises(UpstreamUnauthorized):
        await client.assets(token)
    assert (await stats(http))["total"] == 0


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"limit": 0}, ValueError),
        ({"limit": 101}, ValueError),
        ({"limit": True}, ValueError),
        ({"cursor": ""}, ValueError),
        ({"symbols": ["BTC,ETH"]}, ValueError),
        ({"symbols": [""]}, ValueError),
        ({"provider_ids": [" kraken"]}, ValueError),
        ({"symbols": "BTC"}, TypeError),
    ],
)
async def test_arguments_calico_would_refuse_fail_before_a_request(
    client: CalicoClient, http: HttpUpstream, arguments: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        await client.assets(ALICE, **arguments)
    assert (await stats(http))["total"] == 0


async def test_a_foreign_cursor_is_a_bad_response(client: CalicoClient) -> None:
    with pytest.raises(UpstreamBadResponse) as caught:
        await client.assets(ALICE, cursor="DLVsbG8sIFdvcmxkIQ==")
    assert caught.value.status == 400


@pytest.mark.parametrize(("faults", "error"), FAULTS)
async def test_an_injected_fault_on_assets_raises_its_error_class(
    client: CalicoClient, http: HttpUpstream, faults: dict[str, Any], error: type[UpstreamError]
) -> None:
    await set_faults(http, **faults)
    with pytest.raises(error) as caught:
        await client.assets(ALICE)
    assert type(caught.value) is error
    assert caught.value.source is Source.CALICO
    assert caught.value.status == faults.get("status")


async def test_an_expired_session_is_unauthenticated_asking_to_re_authenticate(
    client: CalicoClient, http: HttpUpstream
) -> None:
    # dave's Calico session has expired: Calico answers his every request with 603.
    for call in (client.assets, client.refresh):
        with pytest.raises(UpstreamUnauthenticated) as caught:
            await call("sandbox-calico-dave")
        error = caught.value
        assert (error.status, error.source, error.code) == (
            603,
            Source.CALICO,
            "UPSTREAM_UNAUTHENTICATED",
        )
        assert "expired" in error.message and "re-authenticate" in error.message
        assert "sandbox-calico-dave" not in chain_text(error)


@pytest.mark.parametrize(
    ("status", "meaning"),
    [
        (601, "Customer Not Found"),
        (602, "Customer Not Authorized"),
        (603, "Authentication Failed"),
        (600, "end-user code 600"),
        (650, "end-user code 650"),
        (699, "end-user code 699"),
    ],
)
async def test_every_end_user_code_is_unauthenticated_not_unavailable(
    client: CalicoClient, http: HttpUpstream, status: int, meaning: str
) -> None:
    await set_faults(http, status=status)
    for call in (client.assets, client.refresh):
        with pytest.raises(UpstreamUnauthenticated) as caught:
            await call(ALICE)
        assert caught.value.status == status
        assert meaning in caught.value.message and "re-authenticate" in caught.value.message


async def test_a_429_on_assets_carries_retry_after(
    client: CalicoClient, http: HttpUpstream
) -> None:
    await set_faults(http, status=429, retry_after=7)
    with pytest.raises(UpstreamRateLimited) as caught:
        await client.assets(ALICE)
    assert caught.value.retry_after_seconds == 7


async def test_a_slow_body_times_out() -> None:
    async with served(CalicoSandbox(), timeouts=Timeouts(connect=1.0, total=0.2)) as (_, http):
        await set_faults(http, slow_body_ms=600)
        with pytest.raises(UpstreamTimeout) as caught:
            await CalicoClient(http).assets(ALICE)
    assert caught.value.source is Source.CALICO


async def test_a_429_refresh_is_an_answer_with_retry_after(
    client: CalicoClient, http: HttpUpstream
) -> None:
    await set_faults(http, status=429, retry_after=5)
    assert await client.refresh(ALICE) == RefreshResult(accepted=False, retry_after_seconds=5)


@pytest.mark.parametrize("retry_after", ["9" * 5000, "\u00b2", "Mon, Jan 20 00:00:00 " + "9" * 30])
async def test_a_429_refresh_with_a_hostile_retry_after_is_an_answer_without_one(
    retry_after: str,
) -> None:
    fake = ScriptedCalico(status=429, headers={"Retry-After": retry_after})
    async with served(fake) as (_, http):
        result = await CalicoClient(http).refresh(ALICE)
    assert result == RefreshResult(accepted=False, retry_after_seconds=None)


async def test_refresh_is_accepted_then_refused_with_retry_after(client: CalicoClient) -> None:
    first = await client.refresh(ALICE)
    second = await client.refresh(ALICE)
    assert first == RefreshResult(accepted=True, retry_after_seconds=None)
    assert second.accepted is False
    assert second.retry_after_seconds is not None and 1 <= second.retry_after_seconds <= 60


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        ({"status": 500}, UpstreamUnavailable),
        ({"status": 503}, UpstreamUnavailable),
        ({"malformed": True}, UpstreamBadResponse),
        ({"drop": True}, UpstreamUnavailable),
    ],
)
async def test_an_injected_fault_on_refresh_raises_its_error_class(
    client: CalicoClient, http: HttpUpstream, faults: dict[str, Any], error: type[UpstreamError]
) -> None:
    await set_faults(http, **faults)
    with pytest.raises(error):
        await client.refresh(ALICE)


async def test_no_error_shows_the_token(client: CalicoClient, http: HttpUpstream) -> None:
    errors: list[UpstreamError] = []
    for faults, _ in FAULTS:
        await set_faults(http, **faults)
        with pytest.raises(UpstreamError) as caught:
            await client.assets(ALICE)
        errors.append(caught.value)
    await set_faults(http)
    for token in ("sandbox-calico-mallory", "bad token with spaces"):
        with pytest.raises(UpstreamError) as caught:
            await client.assets(token)
        errors.append(caught.value)
    with pytest.raises(UpstreamError) as caught:
        await client.assets(ALICE, cursor="DLVsbG8sIFdvcmxkIQ==")
    errors.append(caught.value)
    for error in errors:
        text = chain_text(error)
        for secret in (ALICE, "sandbox-calico-mallory", "bad token with spaces", "Bearer"):
            assert secret not in text
