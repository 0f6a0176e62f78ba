"""The sandbox's `GET /accounts/v2/assets` behaves as Calico's contract says, read raw."""

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from sources.calico.sandbox_data import assets_of
from sources.http import HttpUpstream, decode_json
from sources.source import Source
from tests.sandbox_control import SandboxControl

from .support import ALICE, BOB, set_faults, stats

PATH = "/accounts/v2/assets"
ANY_STATUS = (200, 206, 400, 401, 404, 429, 500, 503)
ANY = range(100, 700)


async def get(
    http: HttpUpstream, params: dict[str, str] | None = None, *, token: str | None = ALICE
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = await http.request("GET", PATH, params=params, headers=headers, accept=ANY_STATUS)
    return response.status, decode_json(Source.CALICO, response.body)


def cursor_of(body: Any) -> str:
    cursor: str = parse_qs(urlsplit(body["page"]["next_uri"]).query)["cursor"][0]
    return cursor


async def test_missing_authorization_is_401_with_an_error_body(http: HttpUpstream) -> None:
    status, body = await get(http, token=None)
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    assert isinstance(body["error"]["message"], str)


async def test_unknown_token_is_401(http: HttpUpstream) -> None:
    status, body = await get(http, token="sandbox-calico-mallory")
    assert (status, body["error"]["code"]) == (401, "unauthorized")


async def test_a_scheme_other_than_bearer_is_401(http: HttpUpstream) -> None:
    response = await http.request(
        "GET", PATH, headers={"Authorization": f"Basic {ALICE}"}, accept=ANY_STATUS
    )
    assert response.status == 401


async def test_limit_defaults_to_30(http: HttpUpstream) -> None:
    status, body = await get(http)
    assert status == 206
    assert len(body["data"]["assets"]) == 30
    assert parse_qs(urlsplit(body["page"]["next_uri"]).query)["limit"] == ["30"]


async def test_limit_100_is_the_largest_page(http: HttpUpstream) -> None:
    status, body = await get(http, {"limit": "100"})
    assert status == 206
    assert len(body["data"]["assets"]) == 75


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "ten", "1e2"])
async def test_a_limit_outside_1_to_100_or_not_an_integer_is_400(
    http: HttpUpstream, limit: str
) -> None:
    status, body = await get(http, {"limit": limit})
    assert status == 400
    assert body["error"]["code"] == "bad_request"
    assert limit in body["error"]["message"]


async def test_empty_parameter_values_count_as_absent(http: HttpUpstream) -> None:
    params = {"asset_symbols": "", "limit": "", "provider_ids": "", "cursor": ""}
    status, body = await get(http, params)
    assert status == 206
    assert len(body["data"]["assets"]) == 30


async def test_a_garbage_cursor_is_400(http: HttpUpstream) -> None:
    status, body = await get(http, {"cursor": "DLVsbG8sIFdvcmxkIQ=="})
    assert status == 400
    assert body["error"]["code"] == "bad_request"


async def test_a_cursor_of_another_filter_is_400(http: HttpUpstream) -> None:
    _, first = await get(http, {"provider_ids": "coinbase", "limit": "5"})
    status, _ = await get(
        http, {"provider_ids": "kraken", "limit": "5", "cursor": cursor_of(first)}
    )
    assert status == 400


async def test_a_cursor_of_another_user_is_400(http: HttpUpstream) -> None:
    _, first = await get(http, {"limit": "1"}, token=BOB)
    status, _ = await get(http, {"limit": "1", "cursor": cursor_of(first)}, token=ALICE)
    assert status == 400


async def test_next_uri_is_relative_and_carries_the_filters_and_limit(http: HttpUpstream) -> None:
    _, body = await get(
        http, {"asset_symbols": "eth,btc", "provider_ids": "coinbase", "limit": "1"}
    )
    uri = urlsplit(body["page"]["next_uri"])
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc, uri.path) == ("", "", PATH)
    assert query["asset_symbols"] == ["BTC,ETH"]
    assert query["provider_ids"] == ["coinbase"]
    assert query["limit"] == ["1"]


async def test_the_next_uri_leads_to_the_next_page(http: HttpUpstream) -> None:
    _, first = await get(http, {"limit": "2"})
    response = await http.request(
        "GET",
        first["page"]["next_uri"],
        headers={"Authorization": f"Bearer {ALICE}"},
        accept=(206,),
    )
    second = decode_json(Source.CALICO, response.body)
    symbols = [asset["asset_symbol"] for asset in second["data"]["assets"]]
    assert symbols == [asset.asset_symbol for asset in assets_of("alice")[2:4]]


async def test_the_last_page_has_no_next_uri(http: HttpUpstream) -> None:
    _, first = await get(http, {"limit": "70"})
    _, last = await get(http, {"limit": "70", "cursor": cursor_of(first)})
    assert len(last["data"]["assets"]) == 5
    assert "next_uri" not in last["page"]


async def test_binance_failure_makes_206_with_its_error(http: HttpUpstream) -> None:
    status, body = await get(http, {"asset_symbols": "BTC"})
    assert status == 206
    assert body["errors"] == [{"provider_id": "binance", "cause": "unauthorized"}]


async def test_a_provider_filter_excluding_binance_is_200_without_errors(
    http: HttpUpstream,
) -> None:
    status, body = await get(http, {"provider_ids": "coinbase,kraken"})
    assert status == 200
    assert body["errors"] == []


async def test_bob_is_200_without_errors(http: HttpUpstream) -> None:
    status, body = await get(http, token=BOB)
    assert status == 200
    assert body["errors"] == []
    assert [asset["provider_id"] for asset in body["data"]["assets"]] == ["kraken", "kraken"]


async def test_positions_are_served_by_provider_symbol_and_chain(http: HttpUpstream) -> None:
    _, body = await get(http, {"limit": "100"})
    keys = [
        (asset["provider_id"], asset["asset_symbol"], asset["chain"] or "")
        for asset in body["data"]["assets"]
    ]
    assert keys == sorted(keys)
    assert len(set(keys)) == 75


async def test_numbers_are_written_as_strings_or_numbers_as_the_data_says(
    http: HttpUpstream,
) -> None:
    _, body = await get(http, {"limit": "100"})
    served = body["data"]["assets"]
    data = assets_of("alice")
    assert {position.numbers_as_strings for position in data} == {True, False}
    for raw, position in zip(served, data, strict=True):
        assert isinstance(raw["asset_holdings"], str) == position.numbers_as_strings
        assert isinstance(raw["price_in_usd"], str) == position.numbers_as_strings
        assert str(raw["asset_holdings"]) == str(position.asset_holdings)
        assert str(raw["price_in_usd"]) == str(position.price_in_usd)


async def test_time_fetched_is_written_with_milliseconds_and_z(http: HttpUpstream) -> None:
    _, body = await get(http, token=BOB)
    assert [asset["time_fetched"] for asset in body["data"]["assets"]] == [
        position.time_fetched_text for position in assets_of("bob")
    ]
    assert all(len(asset["time_fetched"]) == 24 for asset in body["data"]["assets"])


async def test_the_symbol_filter_ignores_case(http: HttpUpstream) -> None:
    _, body = await get(http, {"asset_symbols": "eth,Usdc"})
    assert [(a["provider_id"], a["asset_symbol"]) for a in body["data"]["assets"]] == [
        ("coinbase", "ETH"),
        ("metamask", "ETH"),
        ("metamask", "USDC"),
    ]


async def test_errors_share_one_body_shape(http: HttpUpstream) -> None:
    _, unauthorized = await get(http, token=None)
    _, bad_request = await get(http, {"limit": "0"})
    assert set(unauthorized) == set(bad_request) == {"error"}
    assert set(unauthorized["error"]) == set(bad_request["error"]) == {"code", "message"}


async def test_an_injected_status_answers_with_calico_error_body(http: HttpUpstream) -> None:
    await set_faults(http, status=503)
    status, body = await get(http)
    assert status == 503
    assert body["error"]["code"] == "service_unavailable"


async def test_the_malformed_fault_answers_200_with_assets_not_a_list(http: HttpUpstream) -> None:
    await set_faults(http, malformed=True)
    status, body = await get(http)
    assert status == 200
    assert isinstance(body["data"]["assets"], dict)


async def test_requests_are_counted_by_route_and_status(http: HttpUpstream) -> None:
    await get(http)
    await get(http, token=BOB)
    await get(http, token=None)
    counted = await stats(http)
    assert counted["total"] == 3
    assert counted["routes"]["GET /accounts/v2/assets"] == {"206": 1, "200": 1, "401": 1}


# -- end-user codes ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/accounts/v2/assets", "/platform/v1/assets/refresh"])
async def test_a_user_whose_session_expired_gets_603_on_every_request(
    http: HttpUpstream, path: str
) -> None:
    method = "GET" if path.endswith("/assets") else "POST"
    response = await http.request(
        method, path, headers={"Authorization": "Bearer sandbox-calico-dave"}, accept=ANY
    )
    assert response.status == 603
    assert response.json() == {
        "error": {
            "code": "authentication_failed",
            "message": "Authentication Failed: the user must re-authenticate",
        }
    }


@pytest.mark.parametrize(
    ("status", "code"),
    [(601, "customer_not_found"), (602, "customer_not_authorized"), (603, "authentication_failed")],
)
async def test_the_fault_api_injects_calicos_end_user_codes(
    http: HttpUpstream, status: int, code: str
) -> None:
    await set_faults(http, status=status)
    response = await http.request(
        "GET", "/accounts/v2/assets", headers={"Authorization": f"Bearer {ALICE}"}, accept=ANY
    )
    assert response.status == status
    assert response.json()["error"]["code"] == code


async def test_the_fault_api_refuses_a_status_beyond_calicos(http: HttpUpstream) -> None:
    async with aiohttp.ClientSession() as session:
        status, answer = await SandboxControl(session, http.base_url).try_control(
            "faults", {"status": 700}
        )
    assert status == 400 and "status" in answer["error"]
