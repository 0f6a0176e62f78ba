"""The sandbox speaks Mesh's contract on the wire: envelope, parameters, auth, error bodies."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sources.mesh import sandbox_data as data
from sources.mesh.sandbox import MAX_USER_ID_LENGTH, TOO_MANY_REQUEST_RETRY_AFTER
from tests.sources.mesh.conftest import CREDENTIALS, MeshControl

ENVELOPE_KEYS = {"status", "message", "displayMessage", "errorHash", "errorType", "errorData"}
ERROR_HASH = re.compile(r"[0-9a-f]{8}")


def _assert_bad_request(body: Any, error_type: str) -> None:
    assert set(body) == ENVELOPE_KEYS
    assert (body["status"], body["errorType"]) == ("badRequest", error_type)
    assert (body["displayMessage"], body["errorData"]) == (None, None)
    assert isinstance(body["message"], str) and body["message"]
    assert ERROR_HASH.fullmatch(body["errorHash"])


async def test_ok_answer_is_the_full_api_result_envelope(control: MeshControl) -> None:
    response = await control.get({"UserId": data.BOB, "TimezoneOffset": "0"})
    body = response.json()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert set(body) == {*ENVELOPE_KEYS, "content"}
    assert (body["status"], body["message"], body["displayMessage"]) == ("ok", "", None)
    assert (body["errorType"], body["errorData"]) == ("", None)
    assert ERROR_HASH.fullmatch(body["errorHash"])
    assert body["content"]["equityPositions"][0]["symbol"] == "MSFT"


async def test_doubles_are_written_digit_for_digit(control: MeshControl) -> None:
    text = (await control.get({"UserId": data.ALICE})).body.decode()
    for fragment in (
        '"amount":0.260325',
        '"amount":0.100325',
        '"lastPrice":0.05977',
        '"amount":4025.02',
        '"costBasis":0.081',
        '"portfolioCostBasis":1819.9',
        '"cryptocurrenciesValue":943.4894',
    ):
        assert fragment in text


async def test_missing_user_id_is_400_missing_field(control: MeshControl) -> None:
    response = await control.get({"TimezoneOffset": "0"})
    assert response.status == 400
    _assert_bad_request(response.json(), "missingField")


async def test_empty_user_id_is_400_missing_field(control: MeshControl) -> None:
    response = await control.get({"UserId": ""})
    assert response.status == 400
    _assert_bad_request(response.json(), "missingField")


async def test_user_id_over_300_characters_is_400_invalid_field(
    control: MeshControl,
) -> None:
    response = await control.get({"UserId": "u" * (MAX_USER_ID_LENGTH + 1)})
    assert response.status == 400
    _assert_bad_request(response.json(), "invalidField")


async def test_user_id_of_exactly_300_characters_is_accepted(control: MeshControl) -> None:
    response = await control.get({"UserId": "u" * MAX_USER_ID_LENGTH})
    assert (response.status, response.json()["status"]) == (200, "ok")


@pytest.mark.parametrize(
    "offset",
    ["abc", "1.5", "3600s", "9223372036854775808", pytest.param("9" * 5000, id="5000-digits")],
)
async def test_timezone_offset_that_is_not_an_int64_is_400_invalid_field(
    control: MeshControl, offset: str
) -> None:
    response = await control.get({"UserId": data.ALICE, "TimezoneOffset": offset})
    assert response.status == 400
    _assert_bad_request(response.json(), "invalidField")


@pytest.mark.parametrize("offset", ["-18000", "+3600", "9223372036854775807"])
async def test_timezone_offset_within_int64_is_accepted(control: MeshControl, offset: str) -> None:
    response = await control.get({"UserId": data.ALICE, "TimezoneOffset": offset})
    assert (response.status, response.json()["status"]) == (200, "ok")


async def test_query_names_match_without_regard_to_case(control: MeshControl) -> None:
    response = await control.get({"userid": data.BOB, "timezoneoffset": "60"})
    assert response.json()["content"]["equityPositions"][0]["symbol"] == "MSFT"


async def test_missing_client_headers_are_401_with_an_empty_body(
    control: MeshControl,
) -> None:
    response = await control.get({"UserId": data.ALICE}, headers={})
    assert (response.status, response.body) == (401, b"")


@pytest.mark.parametrize("header", ["X-Client-Id", "X-Client-Secret"])
async def test_a_wrong_client_header_is_401_with_an_empty_body(
    control: MeshControl, header: str
) -> None:
    headers = {**CREDENTIALS, header: "not-the-right-one"}
    response = await control.get({"UserId": data.ALICE}, headers=headers)
    assert (response.status, response.body) == (401, b"")


async def test_auth_is_checked_before_parameters(control: MeshControl) -> None:
    response = await control.get({}, headers={})
    assert response.status == 401


async def test_failing_user_answers_200_with_server_failure(control: MeshControl) -> None:
    response = await control.get({"UserId": data.FAILING_USER})
    body = response.json()
    assert (response.status, body["status"], body["content"]) == (200, "serverFailure", None)


async def test_too_many_request_user_answers_200_with_retry_after(
    control: MeshControl,
) -> None:
    response = await control.get({"UserId": data.status_user("tooManyRequest")})
    assert (response.status, response.json()["status"]) == (200, "tooManyRequest")
    assert response.headers["Retry-After"] == str(TOO_MANY_REQUEST_RETRY_AFTER)


@pytest.mark.parametrize(
    ("status", "api_status"),
    [
        (400, "badRequest"),
        (404, "notFound"),
        (429, "tooManyRequest"),
        (500, "serverFailure"),
        (503, "serverFailure"),
    ],
)
async def test_injected_status_comes_with_mesh_envelope(
    control: MeshControl, status: int, api_status: str
) -> None:
    await control.faults(status=status)
    response = await control.get({"UserId": data.ALICE})
    body = response.json()
    assert (response.status, body["status"]) == (status, api_status)
    assert set(body) >= ENVELOPE_KEYS


@pytest.mark.parametrize("status", [401, 403])
async def test_injected_auth_status_has_an_empty_body(control: MeshControl, status: int) -> None:
    await control.faults(status=status)
    response = await control.get({"UserId": data.ALICE})
    assert (response.status, response.body) == (status, b"")


async def test_injected_429_carries_retry_after(control: MeshControl) -> None:
    await control.faults(status=429, retry_after=7)
    response = await control.get({"UserId": data.ALICE})
    assert (response.status, response.headers["Retry-After"]) == (429, "7")


async def test_malformed_answer_is_ok_json_of_the_wrong_shape(control: MeshControl) -> None:
    await control.faults(malformed=True)
    response = await control.get({"UserId": data.ALICE})
    body = response.json()
    assert (response.status, body["status"]) == (200, "ok")
    assert isinstance(body["content"]["equityPositions"], dict)


async def test_requests_are_counted_by_route_and_status(control: MeshControl) -> None:
    await control.get({"UserId": data.ALICE})
    await control.get({"UserId": data.BOB})
    await control.get({})
    assert await control.portfolio_requests() == {"200": 2, "400": 1}
