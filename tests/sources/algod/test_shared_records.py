"""What the cache of public reads hands out is shared between requests, so it is immutable all
the way down: frozen dataclasses, tuples and immutable scalars; a rejected item's error is
handed out as a copy of its own, so raising it in one request writes nothing into another's.

Over real HTTP: an algod upstream with the in-process parsed cache, the sandbox node (and the
fake one for a malformed item); the same page asked twice is the same object.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
import pytest_asyncio

from sources.algod import sandbox_data as data
from sources.algod.client import AlgodClient
from sources.algod.sandbox import SANDBOX_ALGOD_TOKEN
from sources.cache.parsed import ParsedCache
from sources.errors import UpstreamBadResponse
from sources.http import HttpUpstream
from sources.parsing import Rejected
from sources.sandboxing import RunningSandbox
from sources.source import Source
from tests.sources.algod.fake_node import FakeNode
from tests.sources.building import upstream_of

_ATOMS = (type(None), bool, int, str, bytes, Decimal, datetime, Enum)


def mutable_parts(value: Any, where: str = "value") -> list[str]:
    """Where in `value` something could be changed in place (empty: nothing can)."""
    if isinstance(value, _ATOMS):
        return []
    if isinstance(value, tuple | frozenset):
        parts = (mutable_parts(item, f"{where}[{i}]") for i, item in enumerate(value))
        return [part for found in parts for part in found]
    if isinstance(value, Rejected):
        # Its exception is never handed out itself (see `test_a_rejected_item_...`).
        return mutable_parts((value.index, value.label), where)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if not type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return [f"{where} ({type(value).__name__} is not frozen)"]
        return [
            part
            for field in dataclasses.fields(value)
            for part in mutable_parts(getattr(value, field.name), f"{where}.{field.name}")
        ]
    return [f"{where} ({type(value).__name__})"]


@pytest_asyncio.fixture
async def cached_upstream(sandbox: RunningSandbox) -> AsyncIterator[HttpUpstream]:
    upstream = upstream_of(
        Source.ALGORAND,
        sandbox.url,
        parsed=ParsedCache(max_entries=100, max_bytes=10_000_000),
        cache_ttl_seconds=60.0,
    )
    await upstream.start()
    yield upstream
    await upstream.close()


def test_the_checker_finds_what_could_be_changed() -> None:
    @dataclasses.dataclass
    class Loose:
        amount: int

    assert mutable_parts((1, "a", Decimal(1))) == []
    assert mutable_parts([1]) == ["value (list)"]
    assert mutable_parts((1, {"a": 1})) == ["value[1] (dict)"]
    assert mutable_parts(Loose(1)) == ["value (Loose is not frozen)"]


async def test_every_cached_public_read_is_immutable_and_shared(
    cached_upstream: HttpUpstream,
) -> None:
    client = AlgodClient(cached_upstream, SANDBOX_ALGOD_TOKEN)
    page = await client.account_assets(data.WHALE, limit=100)
    account = await client.account(data.WHALE)
    asset = await client.asset(page.holdings[0].asset_id)
    assert len(page.holdings) == 100
    for value in (page, account, asset):
        assert mutable_parts(value) == []
    # Asked again, each is the very record the first parse made (so nothing was parsed again).
    assert await client.account_assets(data.WHALE, limit=100) is page
    assert await client.account(data.WHALE) is account
    assert await client.asset(page.holdings[0].asset_id) is asset
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.holdings[0].amount = 0  # type: ignore[misc]
    # Another read (another `next`) is another entry, not the same one.
    following = await client.account_assets(data.WHALE, limit=100, next_token=page.next_token)
    assert following is not page
    assert following.holdings[0].asset_id > page.holdings[-1].asset_id


async def test_a_rejected_item_hands_each_caller_an_error_of_its_own(
    fake: tuple[FakeNode, RunningSandbox],
) -> None:
    node, running = fake
    good = {"asset-holding": {"amount": 5, "asset-id": 5, "is-frozen": False}}
    bad = {"asset-holding": {"amount": "5", "asset-id": 7, "is-frozen": False}}
    node.answer(json.dumps({"asset-holdings": [good, bad], "round": 10}))
    upstream = upstream_of(
        Source.ALGORAND,
        running.url,
        parsed=ParsedCache(max_entries=10, max_bytes=1_000_000),
        cache_ttl_seconds=60.0,
    )
    await upstream.start()
    try:
        client = AlgodClient(upstream, SANDBOX_ALGOD_TOKEN)
        first = await client.account_assets(data.WHALE)
        second = await client.account_assets(data.WHALE)
    finally:
        await upstream.close()
    assert second is first
    rejected = first.entries[1]
    assert isinstance(rejected, Rejected)
    # One request raises the item's error (a resolver does), with a cause of its own ...
    with pytest.raises(UpstreamBadResponse) as raised:
        try:
            raise KeyError("another request's context")
        except KeyError:
            raise rejected.error from None
    assert raised.value.__traceback__ is not None
    # ... and what the other request is handed carries none of it.
    other = second.entries[1]
    assert isinstance(other, Rejected)
    assert other.error is not raised.value
    assert other.error.__traceback__ is None and other.error.__context__ is None
    assert other.failure.__traceback__ is None and other.failure.__context__ is None
    assert other.error.message == raised.value.message
