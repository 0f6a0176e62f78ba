"""The sandbox's gateway and core API answer as CardanoBI really does (`upstream-samples`): the
`Client-Api-Key` gate (any key passes), the bearer checks, the tokens route's first 100 by
fingerprint whatever the paging parameters say (OData's options only with the `odata` setting),
404 for an account without tokens or an invalid address, the asset route's arrays, the DTO
shapes, exact numbers, and the real stack's error bodies for injected faults."""

import re

import pytest

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from sources.cardanobi.sandbox import SANDBOX_API_KEY

from .support import Control

COLLECTOR_ASSETS = f"/api/core/accounts/{data.COLLECTOR}/assets"
FINGERPRINTS = [t.fingerprint for t in data.tokens()[data.COLLECTOR]]
TRACE_ID = re.compile(r"00-[0-9a-f]{32}-[0-9a-f]{16}-00")
NOT_BECH32 = data.BENCH_STAKE_ADDRESSES[0][:-6] + "qqqqqq"  # the checksum does not match
UNKNOWN = stake_address(bytes(28), CARDANO_NETWORKS["mainnet"])


def fingerprints(body: list[dict[str, object]]) -> list[object]:
    return [item["fingerprint"] for item in body]


async def test_missing_client_api_key_gets_the_gateways_403_page(control: Control) -> None:
    token = await control.new_token()
    response = await control.raw(
        "GET", COLLECTOR_ASSETS, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 403
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"<title>403 Forbidden - missing Client-Api-Key</title>" in response.body


async def test_an_empty_client_api_key_gets_the_gateways_403_page(control: Control) -> None:
    token = await control.new_token()
    response = await control.raw(
        "GET", COLLECTOR_ASSETS, headers={"Authorization": f"Bearer {token}", "Client-Api-Key": ""}
    )
    assert response.status == 403
    assert b"missing Client-Api-Key" in response.body


async def test_any_other_client_api_key_passes_the_gateway(control: Control) -> None:
    # nginx only checks that a key is there (`map $http_client_api_key$request_uri $allowed`).
    token = await control.new_token()
    response = await control.raw(
        "GET",
        COLLECTOR_ASSETS,
        headers={"Authorization": f"Bearer {token}", "Client-Api-Key": "someone-else"},
    )
    assert response.status == 200


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Basic abc", "Bearer"])
async def test_missing_or_invalid_bearer_gets_an_empty_401(
    control: Control, authorization: str | None
) -> None:
    headers = {"Client-Api-Key": SANDBOX_API_KEY}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = await control.raw("GET", COLLECTOR_ASSETS, headers=headers)
    assert (response.status, response.body) == (401, b"")
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


async def test_unknown_api_route_is_gated_then_an_empty_404(control: Control) -> None:
    unknown = "/api/core/nothing-here"
    assert (await control.raw("GET", unknown)).status == 403
    response = await control.api(unknown)
    assert (response.status, response.body) == (404, b"")


async def test_the_tokens_route_answers_the_first_100_by_fingerprint(control: Control) -> None:
    response = await control.api(COLLECTOR_ASSETS)
    assert response.status == 200
    assert fingerprints(response.json()) == FINGERPRINTS[:100]


@pytest.mark.parametrize(
    "params",
    [
        {"page_no": "2", "page_size": "100"},
        {"page_no": "3", "page_size": "20", "order": "desc"},
        {"page_no": "0", "page_size": "-5", "order": "whatever"},
        {"$skip": "100", "$top": "10", "$orderby": "fingerprint desc"},
    ],
)
async def test_paging_parameters_are_ignored_by_default(
    control: Control, params: dict[str, str]
) -> None:
    response = await control.api(COLLECTOR_ASSETS, params=params)
    assert response.status == 200
    assert fingerprints(response.json()) == FINGERPRINTS[:100]


async def test_with_odata_skip_and_top_page_the_list(control: Control) -> None:
    await control.settings(odata=True)
    pages = [
        fingerprints((await control.api(COLLECTOR_ASSETS, params=params)).json())
        for params in ({"$top": "99"}, {"$skip": "99", "$top": "99"}, {"$skip": "198"})
    ]
    assert pages == [FINGERPRINTS[:99], FINGERPRINTS[99:198], FINGERPRINTS[198:]]


async def test_with_odata_the_page_size_of_100_still_caps_an_answer(control: Control) -> None:
    await control.settings(odata=True)
    response = await control.api(COLLECTOR_ASSETS, params={"$skip": "10"})
    assert fingerprints(response.json()) == FINGERPRINTS[10:110]


async def test_with_odata_orderby_orders_before_skip(control: Control) -> None:
    await control.settings(odata=True)
    params = {"$orderby": "fingerprint desc", "$skip": "5", "$top": "3"}
    response = await control.api(COLLECTOR_ASSETS, params=params)
    assert fingerprints(response.json()) == FINGERPRINTS[::-1][5:8]


async def test_with_odata_a_skip_past_the_end_is_an_empty_list(control: Control) -> None:
    await control.settings(odata=True)
    response = await control.api(COLLECTOR_ASSETS, params={"$skip": "250"})
    assert (response.status, response.json()) == (200, [])


@pytest.mark.parametrize(
    ("name", "value"),
    [("$top", "101"), ("$top", "-1"), ("$skip", "x"), ("$orderby", "price"), ("$orderby", "a b")],
)
async def test_with_odata_an_invalid_option_is_a_400(
    control: Control, name: str, value: str
) -> None:
    await control.settings(odata=True)
    response = await control.api(COLLECTOR_ASSETS, params={name: value})
    assert response.status == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert b"not valid" in response.body


async def test_the_ignore_paging_fault_ignores_odata_again(control: Control) -> None:
    await control.settings(odata=True)
    await control.faults(ignore_paging=True)
    response = await control.api(COLLECTOR_ASSETS, params={"$skip": "100", "$top": "10"})
    assert fingerprints(response.json()) == FINGERPRINTS[:100]


async def test_settings_are_validated_and_reset_restores_the_start_up_ones(
    control: Control,
) -> None:
    status, answer = await control.try_control("settings", {"plan": "platinum"})
    assert status == 400 and "plan" in answer["error"]
    assert await control.settings(odata=True) == {"plan": "unlimited", "odata": True}
    await control.reset()
    assert await control.settings() == {"plan": "unlimited", "odata": False}


@pytest.mark.parametrize("address", [data.EMPTY, UNKNOWN, NOT_BECH32, "stake1nonsense"])
async def test_an_account_without_tokens_unknown_or_invalid_is_a_404(
    control: Control, address: str
) -> None:
    # The route validates nothing: what it cannot find is simply not found.
    response = await control.api(f"/api/core/accounts/{address}/assets")
    assert response.status == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert TRACE_ID.fullmatch(body.pop("traceId"))
    assert body == {
        "type": "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        "title": "Not Found",
        "status": 404,
    }


async def test_big_and_ulong_quantities_are_written_as_exact_json_integers(
    control: Control,
) -> None:
    await control.settings(odata=True)
    bodies = [
        (await control.api(COLLECTOR_ASSETS, params={"$skip": skip})).body
        for skip in ("0", "100", "200")
    ]
    assert sum(body.count(b'"quantity":45000000000000000') for body in bodies) == 1
    odd = await control.api(f"/api/core/accounts/{data.ODDITIES}/assets")
    assert b'"quantity":18446744073709551615' in odd.body


async def test_items_have_exactly_the_account_asset_dto_fields(control: Control) -> None:
    response = await control.api(COLLECTOR_ASSETS)
    expected = data.tokens()[data.COLLECTOR][:100]
    assert response.json() == [
        {
            "policy_hex": t.policy_hex,
            "fingerprint": t.fingerprint,
            "name": t.name,
            "quantity": t.quantity,
        }
        for t in expected
    ]


async def test_binary_names_are_served_with_replacement_characters(control: Control) -> None:
    lossy = {t.fingerprint: t for t in data.tokens()[data.COLLECTOR] if "\ufffd" in t.name}
    await control.settings(odata=True)
    served: dict[str, str] = {}
    for skip in ("0", "100", "200"):
        response = await control.api(COLLECTOR_ASSETS, params={"$skip": skip})
        served.update({i["fingerprint"]: i["name"] for i in response.json()})
    assert lossy
    for fp, token in lossy.items():
        assert served[fp] == token.name_bytes.decode("utf-8", errors="replace")


async def test_account_info_dto_has_the_documented_fields_in_lovelace(control: Control) -> None:
    response = await control.api(f"/api/core/accounts/{data.COLLECTOR}")
    assert response.status == 200
    body = response.json()
    assert set(body) == {
        "stake_address",
        "is_registered",
        "last_reg_dereg_tx",
        "last_reg_dereg_epoch_no",
        "pool_id",
        "last_deleg_tx",
        "delegated_since_epoch_no",
        "total_balance",
        "controlled_stakes",
        "total_rewards",
        "total_withdrawals",
        "available_rewards",
    }
    assert body["total_balance"] == 1_234_567_890
    assert b'"total_balance":1234567890' in response.body


async def test_an_account_without_a_balance_has_a_null_total_balance(control: Control) -> None:
    response = await control.api(f"/api/core/accounts/{data.ODDITIES}")
    assert response.status == 200
    assert response.json()["total_balance"] is None


async def test_unknown_account_info_is_a_404(control: Control) -> None:
    assert (await control.api(f"/api/core/accounts/{UNKNOWN}")).status == 404


async def test_asset_details_dto_has_the_documented_fields(control: Control) -> None:
    asset = data.assets()[FINGERPRINTS[0]]
    response = await control.api(f"/api/core/assets/{asset.fingerprint}")
    (body,) = response.json()  # a list of the rows found, as the real route answers
    assert set(body) == {
        "asset_id",
        "fingerprint",
        "policy_hex",
        "name",
        "creation_time",
        "total_supply",
        "mint_cnt",
        "burn_cnt",
        "first_mint_tx_hash",
        "first_mint_keys",
        "last_mint_tx_hash",
        "last_mint_keys",
        "first_mint_metadata",
    }
    assert (body["fingerprint"], body["total_supply"]) == (asset.fingerprint, asset.total_supply)


async def test_an_unknown_asset_is_an_empty_list_not_a_404(control: Control) -> None:
    response = await control.api("/api/core/assets/asset1w8wujx5xpxk88u94t0c60lsjlgwpd635a3c3lc")
    assert (response.status, response.json()) == (200, [])


async def test_402_fault_is_the_gateways_limit_exceeded_page(control: Control) -> None:
    await control.faults(status=402, path="/api/")
    response = await control.api(COLLECTOR_ASSETS)
    assert response.status == 402
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"<title>402 Limit Exceeded.</title>" in response.body


@pytest.mark.parametrize(
    ("status", "title"),
    [
        (429, b"429 Too Many Requests"),
        (502, b"502 Bad Gateway"),
        (503, b"503 Service Temporarily Unavailable"),
        (504, b"504 Gateway Time-out"),
    ],
)
async def test_gateway_faults_are_nginx_html_pages(
    control: Control, status: int, title: bytes
) -> None:
    await control.faults(status=status, path="/api/", retry_after=3)
    response = await control.api(COLLECTOR_ASSETS)
    assert response.status == status
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"<title>" + title + b"</title>" in response.body
    assert b"<center>nginx</center>" in response.body
    assert response.headers["Retry-After"] == "3"


@pytest.mark.parametrize("status", [400, 404, 500])
async def test_api_faults_are_problem_details(control: Control, status: int) -> None:
    await control.faults(status=status, path="/api/")
    response = await control.api(COLLECTOR_ASSETS)
    assert response.status == status
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == status


async def test_401_fault_is_empty_with_the_bearer_challenge(control: Control) -> None:
    await control.faults(status=401, path="/api/")
    response = await control.api(COLLECTOR_ASSETS)
    assert (response.status, response.body) == (401, b"")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_malformed_fault_sends_an_object_where_the_array_belongs(control: Control) -> None:
    await control.faults(malformed=True, path="/api/")
    response = await control.api(COLLECTOR_ASSETS)
    assert response.status == 200
    assert isinstance(response.json(), dict)


async def test_requests_are_counted_by_route_template_and_status(control: Control) -> None:
    token = await control.new_token()
    await control.api(COLLECTOR_ASSETS, token=token)
    await control.api(f"/api/core/accounts/{data.EMPTY}/assets", token=token)
    await control.api(f"/api/core/accounts/{data.EMPTY}", token=token)
    routes = (await control.stats())["routes"]
    assert routes["GET /api/core/accounts/{stake_address}/assets"] == {"200": 1, "404": 1}
    assert routes["GET /api/core/accounts/{stake_address}"] == {"200": 1}
