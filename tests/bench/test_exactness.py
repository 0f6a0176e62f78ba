"""The bench's exactness column: raw amounts counted against the sandbox's integers.

A JavaScript server (Apollo's naive resolvers, Mesh's BigInt over `JSON.parse`) holds algod's
uint64 amounts as IEEE doubles and writes them back with the shortest digits that read back as
the same double: Python's `repr(float)` makes the same choice, so these tests build such answers
without Node. The graph's own answer is asked over HTTP.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import aiohttp

from bench.compare import S1_ITEMS, probe_exactness
from bench.peers.exactness import (
    NATIVE,
    Exactness,
    count_exact,
    decode_answer,
    expected_amounts,
)
from bench.systems import GRAPH_DIALECT, MESH_DIALECT, system
from sources.algod.sandbox_data import WHALE, WHALE_ALGO, account_holdings
from tests.harness import GraphClient

JS_SAFE = 2**53


def _js_number(amount: int) -> str:
    """How JavaScript's `String(Number(amount))` writes an integer below 10**21."""
    return str(int(Decimal(repr(float(amount)))))


def _whale_page() -> list[tuple[int, int]]:
    """algod's first page of the whale's holdings at `limit=100`: (asset id, amount)."""
    return [(h.asset_id, h.amount) for h in account_holdings(WHALE)[:S1_ITEMS]]


def _graph_shaped(items: list[tuple[str, Any]]) -> bytes:
    """An answer in the graph's (and Apollo's) S1 shape listing `items` (asset id, rawAmount)."""
    edges = [
        {
            "cursor": "c",
            "node": {
                "rawAmount": raw,
                "asset": {"kind": "NATIVE" if key == NATIVE else "FUNGIBLE", "assetId": key},
            },
        }
        for key, raw in items
    ]
    return json.dumps({"data": {"account": {"holdings": {"edges": edges}}}}).encode()


def _mesh_shaped(items: list[tuple[int, str]]) -> bytes:
    """An answer in Mesh's shape whose amounts are JSON numbers written as `items` say."""
    entries = ",".join(
        f'{{"asset_holding":{{"asset_id":{key},"amount":{raw},"is_frozen":false}}}}'
        for key, raw in items
    )
    return f'{{"data":{{"AccountAssetsInformation":{{"asset_holdings":[{entries}]}}}}}}'.encode()


def test_the_whales_first_page_has_ten_amounts_a_double_cannot_hold() -> None:
    page = _whale_page()
    assert len(page) == S1_ITEMS
    assert sum(1 for _, amount in page if float(amount) != amount) == 10
    assert all(amount > JS_SAFE for _, amount in page if float(amount) != amount)


def test_a_js_number_result_counts_10_of_100_inexact_as_strings() -> None:
    answer = _graph_shaped([(str(key), _js_number(amount)) for key, amount in _whale_page()])
    items = GRAPH_DIALECT.items(decode_answer(answer))
    assert count_exact(items, expected_amounts(WHALE), S1_ITEMS) == Exactness(90, 100)


def test_a_js_number_result_counts_10_of_100_inexact_as_json_numbers() -> None:
    answer = _mesh_shaped([(key, _js_number(amount)) for key, amount in _whale_page()])
    items = MESH_DIALECT.items(decode_answer(answer))
    assert count_exact(items, expected_amounts(WHALE), S1_ITEMS) == Exactness(90, 100)


def test_exact_amounts_count_whether_strings_or_json_numbers() -> None:
    page = _whale_page()
    as_strings = GRAPH_DIALECT.items(
        decode_answer(_graph_shaped([(str(k), str(a)) for k, a in page]))
    )
    as_numbers = MESH_DIALECT.items(decode_answer(_mesh_shaped([(k, str(a)) for k, a in page])))
    expected = expected_amounts(WHALE)
    assert count_exact(as_strings, expected, S1_ITEMS) == Exactness(100, 100)
    assert count_exact(as_numbers, expected, S1_ITEMS) == Exactness(100, 100)


def test_a_number_written_with_an_exponent_is_exact_only_if_it_is_the_integer() -> None:
    (key, amount), *_ = [(k, a) for k, a in _whale_page() if float(a) != a]
    rounded = repr(float(amount))  # 1.2345678901234567e+18: JSON allows it
    assert "e+" in rounded
    expected = {str(key): amount, "1": 100}
    assert count_exact(decode_items([(key, rounded)]), expected, 1) == Exactness(0, 1)
    assert count_exact(decode_items([(1, "1e2")]), expected, 1) == Exactness(1, 1)
    assert count_exact(decode_items([(1, "100.5")]), {"1": 100}, 1) == Exactness(0, 1)


def decode_items(items: list[tuple[int, str]]) -> list[Any]:
    return MESH_DIALECT.items(decode_answer(_mesh_shaped(items)))


def test_decoding_never_makes_a_float() -> None:
    decoded = decode_answer(b'{"a": 1.5, "b": 18446744073709551615, "c": 1e400}')
    assert decoded == {"a": Decimal("1.5"), "b": 18446744073709551615, "c": Decimal("1e400")}
    assert not any(isinstance(value, float) for value in decoded.values())


def test_missing_null_repeated_and_foreign_items_are_not_exact() -> None:
    page = _whale_page()
    expected = expected_amounts(WHALE)
    kept = [(str(key), str(amount)) for key, amount in page[:97]]
    answer = json.loads(_graph_shaped([*kept, kept[0], ("999", "1")]))
    answer["data"]["account"]["holdings"]["edges"].append(None)
    items = GRAPH_DIALECT.items(answer)
    assert len(items) == 100
    assert count_exact(items, expected, S1_ITEMS) == Exactness(97, 100)


def test_native_algo_is_counted_against_the_balance() -> None:
    expected = expected_amounts(WHALE)
    assert expected[NATIVE] == WHALE_ALGO
    good = GRAPH_DIALECT.items(decode_answer(_graph_shaped([(NATIVE, str(WHALE_ALGO))])))
    bad = GRAPH_DIALECT.items(decode_answer(_graph_shaped([(NATIVE, str(WHALE_ALGO + 1))])))
    assert count_exact(good, expected, 1) == Exactness(1, 1)
    assert count_exact(bad, expected, 1) == Exactness(0, 1)


def test_booleans_and_non_digits_are_not_amounts() -> None:
    expected = {"1": 1, "2": 2, "3": 3}
    items: list[Any] = [("1", True), ("2", "2.0"), ("3", "-3")]
    assert count_exact(items, expected, 3) == Exactness(0, 3)


async def test_the_graph_answers_every_one_of_the_whales_amounts_exactly(
    graph: GraphClient, http: aiohttp.ClientSession
) -> None:
    assert await probe_exactness(system("graph"), graph.url, [WHALE], http) == Exactness(100, 100)
