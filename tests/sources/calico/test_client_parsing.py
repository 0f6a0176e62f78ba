"""How `CalicoClient` reads answers the reference data never gives: a scripted stand-in for
Calico serves each body over real HTTP, and records what the client sent."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

from sources.calico.client import CalicoClient
from sources.calico.records import AssetsPage, ProviderFailure, RefreshResult
from sources.errors import UpstreamBadResponse
from sources.parsing import Rejected

from .support import ScriptedCalico, served

TOKEN = "user-token-7f3a"


@pytest_asyncio.fixture(scope="module")
async def scripted() -> AsyncIterator[tuple[ScriptedCalico, CalicoClient]]:
    fake = ScriptedCalico()
    async with served(fake) as (_, http):
        yield fake, CalicoClient(http)


@pytest_asyncio.fixture
async def fake(scripted: tuple[ScriptedCalico, CalicoClient]) -> ScriptedCalico:
    server = scripted[0]
    server.body, server.status, server.headers = {}, 200, {}
    server.seen.clear()
    return server


@pytest_asyncio.fixture
async def client(scripted: tuple[ScriptedCalico, CalicoClient]) -> CalicoClient:
    return scripted[1]


def position(**fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "asset_symbol": "BTC",
        "asset_holdings": Decimal("1.5"),
        "staked_holdings": None,
        "time_fetched": "2019-08-24T14:15:22.123Z",
        "provider_id": "coinbase",
        "price_in_usd": Decimal("64000.01"),
        "wallet_address_redacted": None,
        "chain": None,
    }
    item.update(fields)
    return item


def answer(*assets: dict[str, Any], page: Any = None, errors: Any = ()) -> dict[str, Any]:
    return {"page": page or {}, "errors": list(errors), "data": {"assets": list(assets)}}


async def read(fake: ScriptedCalico, client: CalicoClient, body: Any) -> AssetsPage:
    fake.body = body
    return await client.assets(TOKEN)


async def refuse_item(fake: ScriptedCalico, client: CalicoClient, item: Any, named: str) -> None:
    """`item`, between two good positions, costs only itself: rejected with an error naming
    `named` and its place, the others read."""
    page = await read(fake, client, answer(position(), item, position(asset_symbol="ETH")))
    assert [asset.asset_symbol for asset in page.assets] == ["BTC", "ETH"]
    rejected = page.entries[1]
    assert isinstance(rejected, Rejected)
    assert isinstance(rejected.error, UpstreamBadResponse)
    assert named in rejected.error.message
    assert "assets[1]" in rejected.error.message


async def test_the_token_goes_as_a_bearer_header(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    await read(fake, client, answer())
    assert fake.seen[0].authorization == f"Bearer {TOKEN}"
    assert fake.seen[0].path == "/accounts/v2/assets"


async def test_filters_go_as_comma_lists_with_limit_and_cursor(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    fake.body = answer()
    await client.assets(
        TOKEN, symbols=["BTC", "ETH"], provider_ids=["coinbase", "kraken"], limit=7, cursor="a+b/c="
    )
    assert fake.seen[0].query == {
        "asset_symbols": "BTC,ETH",
        "provider_ids": "coinbase,kraken",
        "limit": "7",
        "cursor": "a+b/c=",
    }


async def test_no_parameters_are_sent_unless_given(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    await read(fake, client, answer())
    assert fake.seen[0].query == {}


@pytest.mark.parametrize(
    ("written", "exact"),
    [
        (Decimal("0.1"), "0.1"),
        ("0.1", "0.1"),
        (12, "12"),
        ("12", "12"),
        (
            Decimal("123456789012345678901234567890.123456789"),
            "123456789012345678901234567890.123456789",
        ),
        ("0.000000000000000001", "1E-18"),
        (Decimal("2500.50"), "2500.50"),
    ],
)
async def test_numbers_as_json_numbers_or_strings_are_exact(
    fake: ScriptedCalico, client: CalicoClient, written: Any, exact: str
) -> None:
    page = await read(fake, client, answer(position(asset_holdings=written, price_in_usd=written)))
    assert str(page.assets[0].asset_holdings) == exact
    assert str(page.assets[0].price_in_usd) == exact


@pytest.mark.parametrize("field", ["asset_holdings", "staked_holdings", "price_in_usd"])
async def test_a_negative_amount_costs_its_position(
    fake: ScriptedCalico, client: CalicoClient, field: str
) -> None:
    await refuse_item(fake, client, position(**{field: "-0.5"}), field)


@pytest.mark.parametrize("value", ["lots", "NaN", "Infinity", True, [1], {"v": 1}])
async def test_an_amount_that_is_no_finite_number_costs_its_position(
    fake: ScriptedCalico, client: CalicoClient, value: Any
) -> None:
    await refuse_item(fake, client, position(asset_holdings=value), "asset_holdings")


@pytest.mark.parametrize("field", ["asset_symbol", "asset_holdings", "provider_id"])
async def test_a_missing_required_field_costs_its_position(
    fake: ScriptedCalico, client: CalicoClient, field: str
) -> None:
    item = position()
    del item[field]
    await refuse_item(fake, client, item, field)


async def test_an_asset_that_is_not_an_object_costs_only_itself(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    await refuse_item(fake, client, "BTC", "is not a JSON object")


async def test_optional_fields_may_be_missing(fake: ScriptedCalico, client: CalicoClient) -> None:
    page = await read(
        fake, client, answer({"asset_symbol": "BTC", "asset_holdings": 1, "provider_id": "kraken"})
    )
    asset = page.assets[0]
    assert (asset.staked_holdings, asset.time_fetched, asset.price_in_usd) == (None, None, None)
    assert (asset.wallet_address_redacted, asset.chain) == (None, None)


async def test_a_page_carries_the_time_calico_answered(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    before = datetime.now(UTC)
    page = await read(fake, client, answer(position()))
    assert page.fetched_at is not None
    assert before <= page.fetched_at <= datetime.now(UTC)
    # An asset's own time of the read is Calico's, whenever the page was read.
    assert page.assets[0].time_fetched == datetime(2019, 8, 24, 14, 15, 22, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "instant"),
    [
        ("2019-08-24T14:15:22.123Z", datetime(2019, 8, 24, 14, 15, 22, 123000, tzinfo=UTC)),
        ("2019-08-24T14:15:22Z", datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)),
        ("2019-08-24T16:15:22.5+02:00", datetime(2019, 8, 24, 14, 15, 22, 500000, tzinfo=UTC)),
        ("2019-08-24T09:45:22-04:30", datetime(2019, 8, 24, 14, 15, 22, tzinfo=UTC)),
        ("2019-08-24T14:15:22.123456789Z", datetime(2019, 8, 24, 14, 15, 22, 123456, tzinfo=UTC)),
    ],
)
async def test_time_fetched_with_z_or_offset_becomes_aware_utc(
    fake: ScriptedCalico, client: CalicoClient, written: str, instant: datetime
) -> None:
    page = await read(fake, client, answer(position(time_fetched=written)))
    fetched = page.assets[0].time_fetched
    assert fetched == instant
    assert fetched is not None and fetched.utcoffset() is not None and fetched.tzinfo is UTC


@pytest.mark.parametrize(
    "written",
    [
        "yesterday",
        "2019-08-24T14:15:22",
        "2019-08-24",
        "2019-13-24T14:15:22Z",
        "2019-08-24T14:15:22+02:75",
        1566656122,
    ],
)
async def test_an_unreadable_time_fetched_costs_its_position(
    fake: ScriptedCalico, client: CalicoClient, written: Any
) -> None:
    await refuse_item(fake, client, position(time_fetched=written), "time_fetched")


async def test_206_errors_become_provider_failures(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    fake.status = 206
    page = await read(
        fake,
        client,
        answer(
            position(),
            errors=[
                {"provider_id": "binance", "cause": "unauthorized"},
                {"provider_id": "gemini", "cause": "bad_request"},
            ],
        ),
    )
    assert page.errors == (
        ProviderFailure("binance", "unauthorized"),
        ProviderFailure("gemini", "bad_request"),
    )
    assert len(page.assets) == 1


async def test_an_error_item_without_a_cause_is_a_bad_response(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    with pytest.raises(UpstreamBadResponse, match="cause"):
        await read(fake, client, answer(errors=[{"provider_id": "binance"}]))


@pytest.mark.parametrize(
    "next_uri",
    [
        "https://elsewhere.example/accounts/v2/assets?limit=5&cursor=abc%2Bdef%3D%3D",
        "/accounts/v2/assets?asset_symbols=BTC&cursor=abc%2Bdef%3D%3D&limit=5",
        "/transactions?start_time=2025-11-22T23%3A45%3A50Z&cursor=abc+def==",
    ],
)
async def test_only_the_cursor_of_next_uri_is_taken(
    fake: ScriptedCalico, client: CalicoClient, next_uri: str
) -> None:
    page = await read(fake, client, answer(page={"next_uri": next_uri}))
    assert page.next_cursor == "abc+def=="


async def test_the_next_page_is_asked_of_the_configured_host_with_that_cursor(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    foreign = "https://elsewhere.example/accounts/v2/assets?limit=5&cursor=abc%2Bdef%3D%3D"
    page = await read(fake, client, answer(page={"next_uri": foreign}))
    fake.body = answer()
    await client.assets(TOKEN, limit=5, cursor=page.next_cursor)
    assert [(seen.path, seen.query) for seen in fake.seen] == [
        ("/accounts/v2/assets", {}),
        ("/accounts/v2/assets", {"limit": "5", "cursor": "abc+def=="}),
    ]


@pytest.mark.parametrize("page", [{}, {"next_uri": None}, {"next_uri": ""}, None])
async def test_no_next_uri_means_the_last_page(
    fake: ScriptedCalico, client: CalicoClient, page: Any
) -> None:
    body = answer(position())
    if page is None:
        del body["page"]
    else:
        body["page"] = page
    assert (await read(fake, client, body)).next_cursor is None


@pytest.mark.parametrize(
    "next_uri",
    ["/accounts/v2/assets?limit=5", "/accounts/v2/assets?cursor=", "/x?cursor=a&cursor=b"],
)
async def test_a_next_uri_without_one_cursor_is_a_bad_response(
    fake: ScriptedCalico, client: CalicoClient, next_uri: str
) -> None:
    with pytest.raises(UpstreamBadResponse, match="cursor"):
        await read(fake, client, answer(page={"next_uri": next_uri}))


async def test_a_next_uri_back_to_the_same_page_is_a_bad_response(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    fake.body = answer(page={"next_uri": "/accounts/v2/assets?cursor=same"})
    with pytest.raises(UpstreamBadResponse, match="points back"):
        await client.assets(TOKEN, cursor="same")


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        [],
        {"page": {}, "errors": []},
        {"page": {}, "errors": [], "data": {"assets": {"asset_symbol": "BTC"}}},
        {"page": {}, "errors": {"provider_id": "binance"}, "data": {"assets": []}},
        {"page": {"next_uri": 5}, "errors": [], "data": {"assets": []}},
    ],
)
async def test_a_body_not_of_the_documented_shape_is_a_bad_response(
    fake: ScriptedCalico, client: CalicoClient, body: Any
) -> None:
    with pytest.raises(UpstreamBadResponse):
        await read(fake, client, body)


async def test_a_refresh_calico_declines_is_not_accepted(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    fake.body = {"data": {"response": False}, "errors": []}
    assert await client.refresh(TOKEN) == RefreshResult(accepted=False, retry_after_seconds=None)
    assert (fake.seen[0].method, fake.seen[0].path) == ("POST", "/platform/v1/assets/refresh")


async def test_a_429_refresh_without_retry_after_has_no_wait(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    fake.status, fake.body = 429, {"error": {"code": "rate_limited", "message": "slow down"}}
    assert await client.refresh(TOKEN) == RefreshResult(accepted=False, retry_after_seconds=None)


async def test_a_429_refresh_with_an_http_date_retry_after_counts_seconds(
    fake: ScriptedCalico, client: CalicoClient
) -> None:
    fake.status, fake.body = 429, {}
    fake.headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert await client.refresh(TOKEN) == RefreshResult(accepted=False, retry_after_seconds=0)


@pytest.mark.parametrize(
    "body", [{"data": {"response": "yes"}}, {"data": {}}, {"errors": []}, {"data": True}]
)
async def test_a_refresh_answer_of_another_shape_is_a_bad_response(
    fake: ScriptedCalico, client: CalicoClient, body: Any
) -> None:
    fake.body = body
    with pytest.raises(UpstreamBadResponse):
        await client.refresh(TOKEN)
