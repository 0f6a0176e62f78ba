"""The sandbox node on the wire: algod's parameters, limits, auth, bodies and number formats."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sources.algod import sandbox_data as data
from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN
from sources.sandboxing import RunningSandbox
from tests.sources.algod.raw import RawNode

StartNode = Callable[..., Awaitable[RunningSandbox]]
WHALE_ASSETS = f"/v2/accounts/{data.WHALE}/assets"
ASSETS_ROUTE = "GET /v2/accounts/{address}/assets"
UNKNOWN = "4EWWI7JNVXSFN4YRYA5DMN53U7NUHYC5YSMF67FAXDNRLDWDIWGM5DQGBA"


PARAMETER_ERRORS = {
    "limit=0": ({"limit": "0"}, "limit parameter must be a positive integer"),
    "limit=1001": ({"limit": "1001"}, "limit 1001 exceeds max assets single batch limit 1000"),
    "limit=5000": ({"limit": "5000"}, "limit 5000 exceeds max assets single batch limit 1000"),
    "limit=abc": (
        {"limit": "abc"},
        'Invalid format for parameter limit: strconv.ParseUint: parsing "abc": invalid syntax',
    ),
    "limit=-1": (
        {"limit": "-1"},
        'Invalid format for parameter limit: strconv.ParseUint: parsing "-1": invalid syntax',
    ),
    "next=abc": (
        {"next": "abc"},
        'unable to parse next token: strconv.ParseUint: parsing "abc": invalid syntax',
    ),
    "next above uint64": (
        {"next": "18446744073709551616"},
        "unable to parse next token: strconv.ParseUint: parsing "
        '"18446744073709551616": value out of range',
    ),
}


@pytest.mark.parametrize(
    ("params", "message"), PARAMETER_ERRORS.values(), ids=PARAMETER_ERRORS.keys()
)
async def test_bad_paging_parameter_is_400_with_algods_message(
    node: RawNode, params: dict[str, str], message: str
) -> None:
    answer = await node.get(WHALE_ASSETS, params)
    assert answer.status == 400
    assert answer.json() == {"message": message}


ADDRESS_ERRORS = {
    "bad checksum": (
        data.WHALE[:-1] + "A",
        f"address {data.WHALE[:-1]}A is malformed, checksum verification failed",
    ),
    "non-canonical": (data.WHALE[:-1] + "N", f"address {data.WHALE[:-1]}N is non-canonical"),
    "lower case": (data.WHALE.lower(), f"failed to decode address {data.WHALE.lower()} to base 32"),
    "too short": ("AAAAAAAA", "decoded bad addr: AAAAAAAA"),
}


@pytest.mark.parametrize(("address", "problem"), ADDRESS_ERRORS.values(), ids=ADDRESS_ERRORS.keys())
@pytest.mark.parametrize("suffix", ["/assets", ""])
async def test_bad_address_is_400_invalid_format(
    node: RawNode, address: str, problem: str, suffix: str
) -> None:
    answer = await node.get(f"/v2/accounts/{address}{suffix}")
    assert answer.status == 400
    assert answer.json() == {"message": f"Invalid format for parameter address: {problem}"}


async def test_missing_token_is_401_invalid_api_token(node: RawNode) -> None:
    answer = await node.get(WHALE_ASSETS, headers={})
    assert (answer.status, answer.json()) == (401, {"message": "Invalid API Token"})


async def test_wrong_token_is_401(node: RawNode) -> None:
    answer = await node.get(WHALE_ASSETS, headers={"X-Algo-API-Token": "b" * 64})
    assert (answer.status, answer.json()) == (401, {"message": "Invalid API Token"})


async def test_auth_is_checked_before_the_address(node: RawNode) -> None:
    answer = await node.get(f"/v2/accounts/{data.WHALE[:-1]}A/assets", headers={})
    assert answer.status == 401


async def test_bearer_token_is_accepted_without_the_algod_header(node: RawNode) -> None:
    answer = await node.get(
        WHALE_ASSETS, headers={"Authorization": f"Bearer {SANDBOX_ALGOD_TOKEN}"}
    )
    assert answer.status == 200


async def test_bearer_token_is_ignored_when_the_algod_header_is_set(node: RawNode) -> None:
    headers = {"X-Algo-API-Token": "b" * 64, "Authorization": f"Bearer {SANDBOX_ALGOD_TOKEN}"}
    answer = await node.get(WHALE_ASSETS, headers=headers)
    assert answer.status == 401


async def test_node_without_a_token_needs_no_header(start_node: StartNode, node: RawNode) -> None:
    open_node = await start_node(token="")
    answer = await RawNode(node.http, open_node.url).get(WHALE_ASSETS, headers={})
    assert answer.status == 200


async def test_default_page_is_1000_with_next_token_the_last_id(node: RawNode) -> None:
    body = (await node.get(WHALE_ASSETS)).json()
    ids = [entry["asset-holding"]["asset-id"] for entry in body["asset-holdings"]]
    assert len(ids) == 1000
    assert body["next-token"] == str(ids[-1])
    assert body["round"] == data.ROUND


async def test_next_is_exclusive(node: RawNode) -> None:
    ids = [h.asset_id for h in data.account_holdings(data.WHALE)]
    body = (await node.get(WHALE_ASSETS, {"next": str(ids[10]), "limit": "2"})).json()
    assert [e["asset-holding"]["asset-id"] for e in body["asset-holdings"]] == ids[11:13]


async def test_next_between_ids_starts_at_the_next_larger_id(node: RawNode) -> None:
    ids = [h.asset_id for h in data.account_holdings(data.WHALE)]
    body = (await node.get(WHALE_ASSETS, {"next": str(ids[10] + 1), "limit": "1"})).json()
    assert body["asset-holdings"][0]["asset-holding"]["asset-id"] == ids[11]


async def test_page_ending_exactly_at_the_last_holding_has_no_next_token(node: RawNode) -> None:
    body = (await node.get(f"/v2/accounts/{data.SMALL}/assets", {"limit": "3"})).json()
    assert len(body["asset-holdings"]) == 3
    assert "next-token" not in body


@pytest.mark.parametrize("address", [data.EMPTY, data.USDC_CREATOR])
async def test_account_without_holdings_answers_200_with_an_empty_list(
    node: RawNode, address: str
) -> None:
    answer = await node.get(f"/v2/accounts/{address}/assets")
    assert answer.status == 200
    assert answer.json() == {"asset-holdings": [], "round": data.ROUND}


async def test_uint64_numbers_are_json_integers_on_the_wire(node: RawNode) -> None:
    answer = await node.get(WHALE_ASSETS, {"next": str(data.MAX_ID - 1), "limit": "1"})
    assert '"amount":18446744073709551615' in answer.text
    assert '"total":18446744073709551615' in answer.text


async def test_destroyed_asset_entry_has_no_asset_params(node: RawNode) -> None:
    body = (await node.get(WHALE_ASSETS, {"next": str(data.DESTROYED_ID - 1)})).json()
    assert body["asset-holdings"] == [
        {"asset-holding": {"amount": 0, "asset-id": data.DESTROYED_ID, "is-frozen": False}}
    ]


async def test_unprintable_name_is_omitted_but_its_b64_is_present(node: RawNode) -> None:
    asset_id = next(i for i, p in data.assets().items() if p.name is None)
    body = (await node.get(WHALE_ASSETS, {"next": str(asset_id - 1), "limit": "1"})).json()
    params = body["asset-holdings"][0]["asset-params"]
    assert "name" not in params
    assert params["name-b64"] == data.assets()[asset_id].name_b64


async def test_account_exclude_all_has_no_resource_lists(node: RawNode) -> None:
    body = (await node.get(f"/v2/accounts/{data.WHALE}", {"exclude": "all"})).json()
    assert body["amount"] == 5_000_000_000_000
    assert body["total-assets-opted-in"] == 2500
    assert not {"assets", "created-assets", "apps-local-state", "created-apps"} & set(body)
    required = {
        "address", "amount", "amount-without-pending-rewards", "min-balance", "pending-rewards",
        "rewards", "round", "status", "total-apps-opted-in", "total-assets-opted-in",
        "total-created-apps", "total-created-assets",
    }  # fmt: skip
    assert required <= set(body)


async def test_account_without_exclude_lists_its_holdings(node: RawNode) -> None:
    body = (await node.get(f"/v2/accounts/{data.SMALL}")).json()
    assert body["assets"] == [h.to_json() for h in data.account_holdings(data.SMALL)]


async def test_creator_account_lists_created_assets_with_or_without_params(node: RawNode) -> None:
    creator = data.CREATORS[0]
    created = data.created_assets()[creator]
    full = (await node.get(f"/v2/accounts/{creator}")).json()
    ids_only = await node.get(f"/v2/accounts/{creator}", {"exclude": "created-assets-params"})
    assert full["total-created-assets"] == len(created)
    assert full["created-assets"][0] == {
        "index": created[0],
        "params": data.assets()[created[0]].to_json(),
    }
    assert ids_only.json()["created-assets"] == [{"index": i} for i in created]


async def test_account_unknown_to_the_ledger_has_amount_0(node: RawNode) -> None:
    body = (await node.get(f"/v2/accounts/{UNKNOWN}")).json()
    assert (body["amount"], body["total-assets-opted-in"]) == (0, 0)


@pytest.mark.parametrize("exclude", ["everything", "all,none", "none,created-assets-params"])
async def test_bad_exclude_is_400(node: RawNode, exclude: str) -> None:
    answer = await node.get(f"/v2/accounts/{data.WHALE}", {"exclude": exclude})
    assert (answer.status, answer.json()) == (400, {"message": "failed to parse exclude"})


async def test_account_over_the_resource_limit_is_400_result_limit_exceeded(
    start_node: StartNode, node: RawNode
) -> None:
    small_limit = await start_node(max_api_resources_per_account=1000)
    raw = RawNode(node.http, small_limit.url)
    answer = await raw.get(f"/v2/accounts/{data.WHALE}")
    assert answer.status == 400
    assert answer.json()["message"] == "Result limit exceeded"
    assert answer.json()["data"]["total-assets-opted-in"] == 2500
    assert (await raw.get(f"/v2/accounts/{data.WHALE}", {"exclude": "all"})).status == 200


async def test_asset_answers_index_and_params(node: RawNode) -> None:
    body = (await node.get(f"/v2/assets/{data.USDC_ID}")).json()
    assert body == {"index": data.USDC_ID, "params": data.assets()[data.USDC_ID].to_json()}


@pytest.mark.parametrize("asset_id", [data.DESTROYED_ID, 5])
async def test_unknown_or_destroyed_asset_is_404_asset_does_not_exist(
    node: RawNode, asset_id: int
) -> None:
    answer = await node.get(f"/v2/assets/{asset_id}")
    assert (answer.status, answer.json()) == (404, {"message": "asset does not exist"})


async def test_bad_asset_id_is_400_invalid_format(node: RawNode) -> None:
    answer = await node.get("/v2/assets/usdc")
    assert answer.status == 400
    assert answer.json() == {
        "message": 'Invalid format for parameter asset-id: strconv.ParseUint: parsing "usdc": '
        "invalid syntax"
    }


async def test_unknown_path_is_404_not_found_without_auth(node: RawNode) -> None:
    answer = await node.get("/v2/blocks/1", headers={})
    assert (answer.status, answer.json()) == (404, {"message": "Not Found"})


async def test_wrong_method_on_a_known_path_is_405(node: RawNode) -> None:
    answer = await node.post(WHALE_ASSETS)
    assert (answer.status, answer.json()) == (405, {"message": "Method Not Allowed"})


async def test_node_before_4_6_without_experimental_api_answers_404(
    start_node: StartNode, node: RawNode
) -> None:
    old = await start_node(experimental_api=False)
    answer = await RawNode(node.http, old.url).get(WHALE_ASSETS)
    assert answer.status == 404
    assert "EnableExperimentalAPI" in answer.text


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "failed to retrieve information from the ledger"),
        (503, "operation not available during catchup"),
        (401, "Invalid API Token"),
        (404, "Not Found"),
        (429, "Too Many Requests"),
    ],
)
async def test_injected_status_carries_algods_body(
    node: RawNode, status: int, message: str
) -> None:
    await node.faults(status=status, retry_after=3)
    answer = await node.get(WHALE_ASSETS)
    assert (answer.status, answer.json()) == (status, {"message": message})
    assert answer.headers["Retry-After"] == "3"


MALFORMED_CHECKS = {
    "holdings": (WHALE_ASSETS, lambda body: not isinstance(body["asset-holdings"], list)),
    "account": (f"/v2/accounts/{data.WHALE}", lambda body: isinstance(body["amount"], str)),
    "asset": (f"/v2/assets/{data.USDC_ID}", lambda body: not isinstance(body["params"], dict)),
}


@pytest.mark.parametrize(("path", "is_wrong"), MALFORMED_CHECKS.values(), ids=MALFORMED_CHECKS)
async def test_malformed_fault_is_200_json_of_the_wrong_shape(
    node: RawNode, path: str, is_wrong: Callable[[Any], bool]
) -> None:
    await node.faults(malformed=True)
    answer = await node.get(path)
    assert answer.status == 200
    assert is_wrong(answer.json())


async def test_fault_path_filter_spares_other_accounts(node: RawNode) -> None:
    await node.faults(status=500, path=data.SMALL)
    assert (await node.get(f"/v2/accounts/{data.SMALL}/assets")).status == 500
    assert (await node.get(f"/v2/accounts/{data.EMPTY}/assets")).status == 200


async def test_stats_count_requests_by_route_template_and_status(node: RawNode) -> None:
    await node.get(WHALE_ASSETS, {"limit": "1"})
    await node.get(WHALE_ASSETS, {"limit": "0"})
    await node.get(f"/v2/assets/{data.USDC_ID}")
    stats = await node.stats()
    assert stats["total"] == 3
    assert stats["routes"][ASSETS_ROUTE] == {"200": 1, "400": 1}
    assert stats["routes"]["GET /v2/assets/{asset_id}"] == {"200": 1}
