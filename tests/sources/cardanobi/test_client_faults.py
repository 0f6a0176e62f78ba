"""Every way CardanoBI can fail reaches the caller as the right `UpstreamError`: injected
statuses with the real stack's bodies (HTML for 402/429), malformed bodies, dropped connections,
slow bodies, and absurd data, and no error message ever carries a credential."""

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
import pytest_asyncio

from sources.cardanobi import sandbox_data as data
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.identifiers import CARDANO_NETWORKS, stake_address
from sources.cardanobi.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_API_SECRET,
    TOKEN_PATH,
    CardanoBISandbox,
    CardanoBISettings,
)
from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamQuotaExceeded,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from sources.http import HttpUpstream, Timeouts
from sources.parsing import Rejected
from sources.sandboxing import RunningSandbox, start_sandbox
from sources.source import Source
from tests.sources.building import identity as identity_of
from tests.sources.building import upstream_of

from .support import Control

Call = Callable[[CardanoBIClient], Awaitable[object]]

CALLS: dict[str, Call] = {
    "account_assets": lambda c: c.account_assets(data.COLLECTOR, top=20),
    "account": lambda c: c.account(data.COLLECTOR),
    "asset": lambda c: c.asset(data.tokens()[data.COLLECTOR][0].fingerprint),
}


@pytest.fixture(params=sorted(CALLS))
def call(request: pytest.FixtureRequest) -> Call:
    return CALLS[request.param]


async def test_402_html_is_quota_exceeded(
    client: CardanoBIClient, control: Control, call: Call
) -> None:
    await control.faults(status=402, path="/api/core")
    with pytest.raises(UpstreamQuotaExceeded) as caught:
        await call(client)
    assert caught.value.status == 402
    assert caught.value.source is Source.CARDANO


async def test_429_html_is_rate_limited_with_retry_after(
    client: CardanoBIClient, control: Control, call: Call
) -> None:
    await control.faults(status=429, retry_after=7, path="/api/core")
    with pytest.raises(UpstreamRateLimited) as caught:
        await call(client)
    assert caught.value.retry_after_seconds == 7


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_unavailable(
    client: CardanoBIClient, control: Control, status: int
) -> None:
    await control.faults(status=status, path="/api/core")
    with pytest.raises(UpstreamUnavailable) as caught:
        await client.account_assets(data.COLLECTOR, top=20)
    assert caught.value.status == status


async def test_a_400_is_a_bad_response(client: CardanoBIClient, control: Control) -> None:
    await control.faults(status=400, path="/api/core")
    with pytest.raises(UpstreamBadResponse):
        await client.account(data.COLLECTOR)


async def test_a_malformed_body_is_a_bad_response(
    client: CardanoBIClient, control: Control, call: Call
) -> None:
    await control.faults(malformed=True, path="/api/core")
    with pytest.raises(UpstreamBadResponse):
        await call(client)


async def test_a_dropped_connection_is_unavailable(
    client: CardanoBIClient, control: Control, call: Call
) -> None:
    await client.account(data.SMALL)  # the token first, so the drop hits the API call
    await control.faults(drop=True, path="/api/core")
    with pytest.raises(UpstreamUnavailable):
        await call(client)


async def test_a_slow_body_past_the_timeout_is_a_timeout(
    sandbox: RunningSandbox, identity: HttpUpstream, control: Control
) -> None:
    slow = upstream_of(Source.CARDANO, sandbox.url, timeouts=Timeouts(connect=1.0, total=0.3))
    await slow.start()
    try:
        client = CardanoBIClient(
            slow, identity=identity, api_key=SANDBOX_API_KEY, api_secret=SANDBOX_API_SECRET
        )
        await client.account(data.SMALL)
        await control.faults(slow_body_ms=800, path="/api/core")
        with pytest.raises(UpstreamTimeout):
            await client.account_assets(data.COLLECTOR, top=100)
    finally:
        await slow.close()


# -- absurd data, served by a sandbox whose data a test chooses -------------------------------

_POLICY = "ab" * 28
_FP = data.tokens()[data.COLLECTOR][0].fingerprint


def _item(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"policy_hex": _POLICY, "fingerprint": _FP, "name": "X", "quantity": 5}
    item.update(changes)
    return {k: v for k, v in item.items() if v is not ...}


BAD_ITEMS: dict[str, Any] = {
    "negative quantity": _item(quantity=-1),
    "quantity above uint64": _item(quantity=2**64),
    "fractional quantity": _item(quantity=Decimal("1.5")),
    "quantity as a string": _item(quantity="5"),
    "boolean quantity": _item(quantity=True),
    "missing quantity": _item(quantity=...),
    "missing policy": _item(policy_hex=...),
    "short policy": _item(policy_hex="abc"),
    "policy not hex": _item(policy_hex="zz" * 28),
    "fingerprint not bech32": _item(fingerprint="asset1notbech32"),
    "fingerprint of another kind": _item(fingerprint=data.COLLECTOR),
    "name not a string": _item(name=5),
    "item not an object": "asset1",
}
GOOD_ITEMS: dict[str, Any] = {
    "null name": _item(name=None),
    "upper-case policy": _item(policy_hex=_POLICY.upper()),
    "largest int64": _item(quantity=2**63 - 1),
    "largest uint64 (a C# ulong)": _item(quantity=2**64 - 1),
    "a whole quantity written as a double": _item(quantity=Decimal("5.0")),
    "zero": _item(quantity=0),
}
_GOOD = _item(fingerprint=data.tokens()[data.COLLECTOR][1].fingerprint, name="Y")


def _address(index: int) -> str:
    return stake_address(bytes([index + 1]) * 28, CARDANO_NETWORKS["mainnet"])


SCRIPTED = {
    _address(i): [item, _GOOD] for i, item in enumerate([*BAD_ITEMS.values(), *GOOD_ITEMS.values()])
}
BAD_ADDRESSES = dict(zip(BAD_ITEMS, list(SCRIPTED)[: len(BAD_ITEMS)], strict=True))
GOOD_ADDRESSES = dict(zip(GOOD_ITEMS, list(SCRIPTED)[len(BAD_ITEMS) :], strict=True))
ACCOUNTS: dict[str, dict[str, Any]] = {
    _address(100): {"stake_address": _address(100), "total_balance": -1},
    _address(101): {"stake_address": _address(101)},
    _address(102): {"stake_address": _address(102), "total_balance": Decimal("5.5")},
    _address(103): {"stake_address": _address(103), "total_balance": Decimal("5.0")},
    _address(104): {"total_balance": 7, "is_registered": "yes"},
}


class ScriptedCardanoBI(CardanoBISandbox):
    """The real sandbox, serving chosen (absurd) items for a few made-up accounts."""

    def assets_json(self, stake_address: str) -> list[dict[str, Any]] | None:
        return SCRIPTED.get(stake_address) or super().assets_json(stake_address)

    def account_json(self, stake_address: str) -> dict[str, Any] | None:
        return ACCOUNTS.get(stake_address) or super().account_json(stake_address)


@pytest_asyncio.fixture(scope="module")
async def scripted() -> AsyncIterator[CardanoBIClient]:
    running = await start_sandbox(ScriptedCardanoBI(settings=CardanoBISettings(plan="unlimited")))
    http, identity = HttpUpstream(Source.CARDANO, running.url), identity_of(running.url)
    await http.start()
    await identity.start()
    yield CardanoBIClient(
        http, identity=identity, api_key=SANDBOX_API_KEY, api_secret=SANDBOX_API_SECRET
    )
    await identity.close()
    await http.close()
    await running.close()


@pytest.mark.parametrize("case", sorted(BAD_ITEMS))
async def test_an_absurd_item_costs_only_itself(scripted: CardanoBIClient, case: str) -> None:
    page = await scripted.account_assets(BAD_ADDRESSES[case], top=20)
    assert [asset.name for asset in page.assets] == ["Y"]  # the good token beside it
    rejected = page.entries[0]
    assert isinstance(rejected, Rejected) and isinstance(rejected.error, UpstreamBadResponse)
    assert f"the tokens of {BAD_ADDRESSES[case]}[0]" in rejected.error.message
    served = BAD_ITEMS[case]
    # Named by the fingerprint it gives, when that is a plain identifier.
    assert rejected.label == (served.get("fingerprint") if isinstance(served, dict) else None)


@pytest.mark.parametrize("case", sorted(GOOD_ITEMS))
async def test_unusual_but_valid_items_are_read(scripted: CardanoBIClient, case: str) -> None:
    page = await scripted.account_assets(GOOD_ADDRESSES[case], top=20)
    asset, _ = page.assets
    served = GOOD_ITEMS[case]
    assert asset.policy_hex == _POLICY
    assert asset.quantity == served["quantity"] and type(asset.quantity) is int
    assert asset.name == (served["name"] or "")


@pytest.mark.parametrize("index", [100, 102, 104])
async def test_absurd_account_info_is_a_bad_response(scripted: CardanoBIClient, index: int) -> None:
    with pytest.raises(UpstreamBadResponse):
        await scripted.account(_address(index))


async def test_an_account_without_a_total_balance_is_read_without_one(
    scripted: CardanoBIClient,
) -> None:
    info = await scripted.account(_address(101))
    assert info is not None and info.total_balance is None


async def test_a_whole_lovelace_amount_written_as_a_double_is_read_exactly(
    scripted: CardanoBIClient,
) -> None:
    info = await scripted.account(_address(103))
    assert info is not None and info.total_balance == 5 and type(info.total_balance) is int


# -- credentials never leak ------------------------------------------------------------------

_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{32,}")


async def _failures(
    make_client: Callable[[str, str], CardanoBIClient], control: Control
) -> list[UpstreamError]:
    """One failure per way to fail, each from a fresh client (so the token request is included)."""
    failures: list[UpstreamError] = []

    async def capture(call: Awaitable[object]) -> None:
        try:
            await call
        except UpstreamError as exc:
            failures.append(exc)

    await capture(make_client("leaky-key-1", "leaky-secret-2").account(data.COLLECTOR))
    for faults in (
        {"status": 401, "path": "/api/core"},
        {"status": 403, "path": "/api/core"},
        {"status": 402, "path": "/api/core"},
        {"status": 429, "path": "/api/core", "retry_after": 2},
        {"status": 503},
        {"malformed": True, "path": "/api/core"},
        {"malformed": True, "path": TOKEN_PATH},
        {"drop": True, "path": "/api/core"},
    ):
        await control.reset()
        await control.faults(**faults)
        client = make_client(SANDBOX_API_KEY, SANDBOX_API_SECRET)
        await capture(client.account_assets(data.COLLECTOR, top=20))
        await capture(client.account(data.COLLECTOR))
    return failures


async def test_no_error_message_or_repr_carries_a_credential(
    http: HttpUpstream, identity: HttpUpstream, control: Control
) -> None:
    def make_client(key: str, secret: str) -> CardanoBIClient:
        return CardanoBIClient(http, identity=identity, api_key=key, api_secret=secret)

    failures = await _failures(make_client, control)
    assert len(failures) == 1 + 2 * 8
    for exc in failures:
        for text in (str(exc), repr(exc), exc.message, *map(str, exc.args)):
            for secret in (SANDBOX_API_KEY, SANDBOX_API_SECRET, "leaky-key-1", "leaky-secret-2"):
                assert secret not in text
            assert "Bearer" not in text and "Basic" not in text
            # Nothing token-like beyond the (public) stake address asked for.
            assert not _TOKEN_LIKE.search(text.replace(data.COLLECTOR, "")), text
    await control.reset()
    client = make_client(SANDBOX_API_KEY, SANDBOX_API_SECRET)
    await client.account(data.COLLECTOR)  # now it holds a token too
    assert "sandbox-cardanobi" not in repr(client)
    assert not _TOKEN_LIKE.search(repr(client))


def test_the_repr_shows_no_url() -> None:
    # A base URL may carry user:password, which aiohttp would send as Basic auth.
    http = HttpUpstream(Source.CARDANO, "http://cbi-user:cbi-password@127.0.0.1:9")
    identity = HttpUpstream(Source.CARDANO, "http://cbi-user:cbi-password@127.0.0.1:9/token")
    client = CardanoBIClient(http, identity=identity, api_key="k", api_secret="s")
    assert "cbi-password" not in repr(client)
    assert "127.0.0.1" not in repr(client)
