"""Finding 5, the execution half: MAX_RESPONSE_BYTES. The fields of a response are estimated
before execution, but what they hold is the upstreams': a response whose body grows past the
limit is replaced by a coded error, never sent whole (before: an accepted query answered 159 MB)
nor cut part-way into JSON that does not parse."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio

from sources.algod import sandbox_data as algod_data
from tests.graph.support import HOLDING_FIELDS
from tests.harness import GraphClient, Sandboxes, serve_graph

LIMIT = 64 * 1024
WIDE = f"""query($refs: [AccountRef!]!) {{ accounts(refs: $refs) {{
  holdings(first: 100) {{ nodes {{ {HOLDING_FIELDS} }} }} }} }}"""
NARROW = """query($a: String!) { account(source: ALGORAND, address: $a) {
  holdings(first: 2) { nodes { amount } } } }"""


def whales(n: int) -> dict[str, object]:
    return {"refs": [{"source": "ALGORAND", "address": algod_data.WHALE}] * n}


@pytest_asyncio.fixture
async def tight(sandboxes: Sandboxes, http: aiohttp.ClientSession) -> AsyncIterator[GraphClient]:
    async with serve_graph(sandboxes.settings(max_response_bytes=LIMIT), http) as graph:
        yield graph


async def raw(graph: GraphClient, body: object, accept: str) -> tuple[int, dict[str, str], bytes]:
    headers = {"accept": accept, "content-type": "application/json"}
    async with graph.http.post(graph.url, data=json.dumps(body), headers=headers) as response:
        return response.status, dict(response.headers), await response.read()


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_a_response_past_the_limit_is_a_coded_error(tight: GraphClient, accept: str) -> None:
    status, headers, body = await raw(tight, {"query": WIDE, "variables": whales(3)}, accept)
    assert status == 200
    assert int(headers["Content-Length"]) == len(body) < 1000
    assert headers["Cache-Control"] == "no-store"
    answer = json.loads(body)
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    size = re.fullmatch(
        rf"the response is (\d+) bytes, over the limit MAX_RESPONSE_BYTES={LIMIT}; ask for "
        "fewer fields or items in one request",
        error["message"],
    )
    assert size is not None, error["message"]
    assert int(size.group(1)) > 3 * LIMIT  # 300 holdings of about 700 bytes


async def test_a_response_within_the_limit_answers_whole(tight: GraphClient) -> None:
    data = await tight.data(NARROW, {"a": algod_data.WHALE})
    assert len(data["account"]["holdings"]["nodes"]) == 2


async def test_a_batch_past_the_limit_answers_the_error_for_each_operation(
    tight: GraphClient,
) -> None:
    batch = [
        {"query": NARROW, "variables": {"a": algod_data.WHALE}},
        {"query": WIDE, "variables": whales(3)},
    ]
    status, _, body = await raw(tight, batch, "application/json")
    assert status == 200
    answers = json.loads(body)
    assert [answer["data"] for answer in answers] == [None, None]
    assert {answer["errors"][0]["extensions"]["code"] for answer in answers} == {
        "QUERY_TOO_COMPLEX"
    }
