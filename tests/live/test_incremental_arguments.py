"""`@defer` and `@stream` in a subscription: graphql-core refuses them where they would always
take effect; where a variable turns `@stream` on, it is refused before anything runs too (the
executor would fail every event), over both protocols, with a coded error naming the variable;
no upstream is asked."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import pytest

from tests.harness import GraphClient, Sandboxes
from tests.live.clients import TransportWS, event_stream
from tests.live.support import SMALL, holdings_of

ON = "subscription($account: AccountRef!, $s: Boolean!) { holdingsChanged(account: $account) "
REFUSED: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "stream turned on by a variable",
        ON + "{ initial added @stream(if: $s) { id } } }",
        {"s": True},
        "BAD_USER_INPUT",
        "(variable $s)",
    ),
    (
        "stream written on",
        "subscription($account: AccountRef!) { holdingsChanged(account: $account) "
        "{ added @stream { id } } }",
        {},
        "GRAPHQL_VALIDATION_FAILED",
        "subscription",
    ),
    (
        "defer on the root",
        "subscription($account: AccountRef!, $s: Boolean!) { ... @defer(if: $s) "
        "{ holdingsChanged(account: $account) { initial } } }",
        {"s": False},
        "GRAPHQL_VALIDATION_FAILED",
        "Subscription",
    ),
    (
        "negative count of a stream turned off",
        ON + "{ added @stream(if: $s, initialCount: -3) { id } } }",
        {"s": False},
        "BAD_USER_INPUT",
        "-3",
    ),
]


def _errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    if message["type"] == "error":
        errors: list[dict[str, Any]] = message["payload"]
        return errors
    assert message["type"] == "next", message
    return list(message["payload"]["errors"])


@pytest.mark.parametrize(
    ("query", "variables", "code", "named"),
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
async def test_bad_defer_and_stream_in_a_subscription_are_refused_before_any_upstream_call(
    live: GraphClient,
    clean: Sandboxes,
    http: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
    query: str,
    variables: dict[str, Any],
    code: str,
    named: str,
) -> None:
    variables = {**holdings_of("ALGORAND", SMALL), **variables}
    with caplog.at_level(logging.INFO):
        async with TransportWS.open(http, live.url) as client:
            await client.subscribe("1", query, variables)
            errors = _errors(await client.message("1"))
        async with event_stream(http, live.url, query, variables) as stream:
            body = await stream.next()
    for found in (errors, body["errors"]):
        assert [error["extensions"]["code"] for error in found] == [code], found
        assert named in found[0]["message"], found
    assert await clean.algod.total() == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_a_stream_turned_off_by_a_variable_subscribes_as_usual(
    live: GraphClient, clean: Sandboxes, http: aiohttp.ClientSession
) -> None:
    query = ON + "{ initial added @stream(if: $s) { id } } }"
    async with TransportWS.open(http, live.url) as client:
        await client.subscribe("1", query, {**holdings_of("ALGORAND", SMALL), "s": False})
        event = (await client.next("1"))["data"]["holdingsChanged"]
    assert event["initial"] is True and event["added"]
