"""Partial results: one query over all four sources while one of them fails
in each way in turn. The response is always HTTP 200 with the other three sources' data exactly
as the sandboxes hold it, and exactly one coded error per field of the failed source, carrying
`extensions.source`. Expected values come from the sandbox data modules."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from sources.calico import sandbox_data as calico_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.mesh import sandbox_data as mesh_data
from tests.graph.all_sources import FAILED_FIELDS, FAULTS, QUERY, SANDBOX, TIMEOUT, VARIABLES
from tests.harness import GraphClient, Sandboxes, serve_graph


def _expected_algo() -> dict[str, str]:
    # The native ALGO balance (no asset id) heads the list, then the ASAs.
    native = {None: str(algod_data.algo_balances()[algod_data.SMALL])}
    return native | {
        str(h.asset_id): str(h.amount) for h in algod_data.account_holdings(algod_data.SMALL)
    }


def _expected_ada() -> dict[str, str]:
    # The native ADA balance (no fingerprint) heads the list, then the tokens.
    native = {None: str(cardano_data.ada_balances()[cardano_data.SMALL])}
    return native | {
        t.fingerprint: str(t.quantity) for t in cardano_data.tokens()[cardano_data.SMALL]
    }


def _expected_calico() -> list[tuple[str, str, Decimal]]:
    return [(a.provider_id, a.asset_symbol, a.asset_holdings) for a in calico_data.assets_of("bob")]


def _expected_mesh() -> list[tuple[str, Decimal]]:
    portfolio = mesh_data.portfolio_of("bob")
    assert portfolio is not None
    return [(p["symbol"], p["amount"]) for p in portfolio["equityPositions"]]


@pytest_asyncio.fixture(scope="module")
async def tolerant(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    settings = sandboxes.settings(upstream_timeout_seconds=TIMEOUT, upstream_max_attempts=3)
    async with serve_graph(settings, http) as graph:
        yield graph
    await sandboxes.reset()


def _check_source(source: str, data: dict[str, Any]) -> None:
    """The data of a source that did not fail is exactly the sandbox's."""
    viewer = data["viewer"]
    if source == "ALGORAND":
        edges = data["algo"]["holdings"]["edges"]
        got_algo = {e["node"]["asset"]["assetId"]: e["node"]["rawAmount"] for e in edges}
        assert got_algo == _expected_algo()
    elif source == "CARDANO":
        edges = data["ada"]["holdings"]["edges"]
        got_ada = {e["node"]["asset"]["fingerprint"]: e["node"]["rawAmount"] for e in edges}
        assert got_ada == _expected_ada()
    elif source == "CALICO":
        calico = viewer["accounts"][0]
        assert calico["source"] == "CALICO"
        got_calico = [
            (
                n["node"]["provider"]["slug"],
                n["node"]["asset"]["symbol"],
                Decimal(n["node"]["amount"]),
            )
            for n in calico["holdings"]["edges"]
        ]
        assert got_calico == _expected_calico()
    else:
        mesh = viewer["accounts"][1]
        assert mesh["source"] == "MESH"
        positions = [
            (e["node"]["symbol"], Decimal(e["node"]["amount"])) for e in mesh["positions"]["edges"]
        ]
        holdings = [
            (e["node"]["asset"]["symbol"], Decimal(e["node"]["amount"]))
            for e in mesh["holdings"]["edges"]
        ]
        assert positions == holdings == _expected_mesh()


def _failed_list(data: dict[str, Any], path: list[str | int]) -> Any:
    value: Any = data
    for step in path:
        value = value[step]
    return value


async def test_with_no_source_failing_every_source_answers_in_full(
    tolerant: GraphClient, clean: Sandboxes
) -> None:
    body = await tolerant.query(QUERY, VARIABLES, user="bob", calico=True)
    assert "errors" not in body, body["errors"]
    for source in FAILED_FIELDS:
        _check_source(source, body["data"])


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("failing", list(FAILED_FIELDS))
async def test_one_failing_source_costs_only_its_own_fields(
    tolerant: GraphClient, clean: Sandboxes, failing: str, fault: str
) -> None:
    faults, code = FAULTS[fault]
    await getattr(clean, SANDBOX[failing]).faults(**faults)
    body = await tolerant.query(QUERY, VARIABLES, user="bob", calico=True)  # asserts HTTP 200
    errors = body.get("errors", [])
    assert sorted((e["path"] for e in errors), key=str) == sorted(FAILED_FIELDS[failing], key=str)
    for error in errors:
        assert error["extensions"]["code"] == code, error
        assert error["extensions"]["source"] == failing, error
    data = body["data"]
    assert data["viewer"]["userId"] == "bob"
    for path in FAILED_FIELDS[failing]:
        assert _failed_list(data, path)["edges"] == []
    for source in FAILED_FIELDS:
        if source != failing:
            _check_source(source, data)
