"""The sandbox's gateway and core API answer as CardanoBI does: the `Client-Api-Key` gate, the
bearer checks, paging by our reference doc, 404 for nothing, the DTO shapes, exact numbers, and
the real stack's error bodies for injected faults."""

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


async def test_wrong_client_api_key_gets_the_gateways_403_page(control: Control) -> None:
    token = await control.new_token()
    response = await control.raw(
        "GET",
        COLLECTOR_ASSETS,
        headers={"Authorization": f"Bearer {token}", "Client-Api-Key": "someone-else"},
    )
    assert response.status == 403
    assert b"missing Client-Api-Key" in response.body


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


async def test_default_page_is_20_items_in_descending_fingerprint_order(control: Control) -> None:
    response = await control.api(COLLECTOR_ASSETS)
    assert response.status == 200
    assert fingerprints(response.json()) == FINGERPRINTS[::-1][:20]


async def test_order_asc_and_any_other_value_is_ascending(control: Control) -> None:
    for order in ("asc", "ASC", "whatever", ""):
        response = await control.api(COLLECTOR_ASSETS, params={"order": order, "page_size": "5"})
        assert fingerprints(response.json()) == FINGERPRINTS[:5], order


async def test_page_size_above_100_is_clamped_to_100(control: Control) -> None:
    response = await control.api(COLLECTOR_ASSETS, params={"page_size": "500", "order": "asc"})
    assert fingerprints(response.json()) == FINGERPRINTS[:100]


async def test_pages_follow_page_no_and_page_size(control: Control) -> None:
    params = {"page_no": "3", "page_size": "100", "order": "asc"}
    response = await control.api(COLLECTOR_ASSETS, params=params)
    assert fingerprints(response.json()) == FINGERPRINTS[200:]


async def test_a_page_past_the_end_is_a_404_problem_details(control: Control) -> None:
    response = await control.api(COLLECTOR_ASSETS, params={"page_no": "4", "page_size": "100"})
    assert response.status == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert TRACE_ID.fullmatch(body.pop("traceId"))
    assert body == {
        "type": "https://tools.ietf.org/html/rfc7231#section-6.5.4",
        "title": "Not Found",
        "status": 404,
    }


@pytest.mark.parametrize("address", [data.EMPTY, UNKNOWN])
async def test_an_account_without_tokens_or_unknown_is_a_404(
    control: Control, address: str
) -> None:
    response = await control.api(f"/api/core/accounts/{address}/assets")
    assert response.status == 404
    assert response.json()["title"] == "Not Found"


async def test_a_stake_address_that_is_not_bech32_is_a_400_problem(control: Control) -> None:
    response = await control.api(f"/api/core/accounts/{NOT_BECH32}/assets")
    assert response.status == 400
    body = response.json()
    assert body["status"] == 400
    assert body["title"] == "One or more validation errors occurred."
    assert "stake_address" in body["errors"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("page_no", "0"),
        ("page_no", "-1"),
        ("page_no", "abc"),
        ("page_no", "1.5"),
        ("page_no", ""),
        ("page_no", "99999999999"),
        ("page_size", "0"),
        ("page_size", "-20"),
        ("page_size", "twenty"),
    ],
)
async def test_bad_paging_parameters_are_a_400_naming_the_parameter(
    control: Control, name: str, value: str
) -> None:
    response = await control.api(COLLECTOR_ASSETS, params={name: value})
    assert response.status == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "https://tools.ietf.org/html/rfc7231#section-6.5.1"
    assert list(body["errors"]) == [name]


async def test_ignore_paging_fault_answers_page_one_for_page_two(control: Control) -> None:
    params = {"page_no": "2", "page_size": "10", "order": "asc"}
    honest = await control.api(COLLECTOR_ASSETS, params=params)
    await control.faults(ignore_paging=True)
    ignored = await control.api(COLLECTOR_ASSETS, params=params)
    first = await control.api(COLLECTOR_ASSETS, params={**params, "page_no": "1"})
    assert fingerprints(honest.json()) == FINGERPRINTS[10:20]
    assert ignored.json() == first.json()
    assert fingerprints(ignored.json()) == FINGERPRINTS[:10]


async def test_big_quantity_is_written_as_an_exact_json_integer(control: Control) -> None:
    response = await control.api(COLLECTOR_ASSETS, params={"page_size": "100", "page_no": "1"})
    bodies = [response.body]
    for page in ("2", "3"):
        bodies.append(
            (await control.api(COLLECTOR_ASSETS, params={"page_size": "100", "page_no": page})).body
        )
    assert sum(body.count(b'"quantity":45000000000000000') for body in bodies) == 1


async def test_items_have_exactly_the_account_asset_dto_fields(control: Control) -> None:
    response = await control.api(COLLECTOR_ASSETS, params={"page_size": "100", "order": "asc"})
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
    served: dict[str, str] = {}
    for page in ("1", "2", "3"):
        response = await control.api(COLLECTOR_ASSETS, params={"page_size": "100", "page_no": page})
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


async def test_unknown_account_info_is_a_404(control: Control) -> None:
    assert (await control.api(f"/api/core/accounts/{UNKNOWN}")).status == 404


async def test_asset_details_dto_has_the_documented_fields(control: Control) -> None:
    asset = data.assets()[FINGERPRINTS[0]]
    response = await control.api(f"/api/core/assets/{asset.fingerprint}")
    body = response.json()
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


async def test_unknown_asset_is_a_404(control: Control) -> None:
    assert (await control.api("/api/core/assets/asset1unknown")).status == 404


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
