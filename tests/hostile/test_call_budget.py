"""Point 2, enforced while the request runs: every upstream call of a request spends from its
MAX_UPSTREAM_CALLS. The estimate before execution is an upper bound of the calls its fields
imply, but the real figure can pass it: each retry is a call the upstream counts. A request
that would exceed the limit stops sending: the fields that needed more fail
`QUERY_TOO_COMPLEX`, and what it already read still answers. Before: nothing
held the request to the limit once it ran (the sandboxes served 54 calls for a limit of 52,
and 13 for a limit of 10, in the cases below).
"""

from __future__ import annotations

import hashlib
from typing import Any

import aiohttp
from graphql import parse

from resolvers.context import GraphOptions
from schema import schema
from schema.limits import measure
from server import graph_options
from settings import Settings
from sources.algod.address import encode_address
from sources.cardanobi import sandbox_data as cardano_data
from tests.graph.support import CARDANOBI_TOKEN, codes
from tests.harness import Sandboxes, serve_graph
from tests.hostile.support import BYSTANDER_SECONDS, attack, default_options

SCAN = """query($a: String!) { account(source: CARDANO, address: $a) {
  holdings(first: 1, filter: {symbols: ["NO-SUCH-TOKEN"]}) { nodes { amount } } } }"""


def estimate(query: str, variables: dict[str, Any], options: GraphOptions) -> int:
    figures = measure(schema._schema, parse(query), None, variables, options)
    assert figures is not None
    return figures.upstream_calls


async def test_a_page_by_page_scan_past_its_estimate_stops_at_exactly_the_limit(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, odata: Sandboxes
) -> None:
    # Pages of 4 (CardanoBI's sandbox honouring OData's `$skip`/`$top`, as the real service is
    # not shown to: without it every page is the same first 100 tokens and the scan ends at
    # once): the collector's 250 tokens are 63 pages. The filter matches nothing, so the
    # scan reads the request's 50 pages and the balance: 51 calls, within the estimate (the
    # balance, one page and the scan budget: 52). Three 503s on the way make three retries:
    # 54 calls wanted.
    variables = {"a": cardano_data.COLLECTOR}
    options = graph_options(Settings(_env_file=None, cardanobi_page_size=4))  # type: ignore[call-arg]
    limit = estimate(SCAN, variables, options)
    assert limit == 52
    settings = sandboxes.settings(cardanobi_page_size=4, max_upstream_calls=limit)
    async with serve_graph(settings, http) as graph:
        await odata.cardanobi.faults(status=503, count=3, path="/api/core/accounts")
        outcome = await attack(graph, SCAN, variables)
    token = await odata.cardanobi.count(CARDANOBI_TOKEN)  # once for every caller: not counted
    assert await odata.cardanobi.total() - token == limit
    assert codes(outcome.body) == ["QUERY_TOO_COMPLEX"]
    error = outcome.body["errors"][0]
    assert error["path"] == ["account", "holdings"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "source": "CARDANO"}
    assert f"made the {limit} upstream calls it may (MAX_UPSTREAM_CALLS)" in error["message"]
    assert outcome.normal, "no normal request was answered meanwhile"
    assert max(outcome.normal + outcome.healthz) < BYSTANDER_SECONDS


def addresses(n: int) -> list[dict[str, str]]:
    return [
        {"source": "ALGORAND", "address": encode_address(hashlib.sha256(b"b%d" % i).digest())}
        for i in range(n)
    ]


ACCOUNTS = """query($refs: [AccountRef!]!) { accounts(refs: $refs) { address
  holdings(first: 1) { nodes { amount } complete errors { code source } } } }"""


async def test_retries_count_and_what_was_read_still_answers(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    # Five accounts: their balance and a page each, 10 calls, the estimate and the limit. Three
    # 503s make three retries: 13 calls wanted, 10 sent.
    refs = addresses(5)
    assert estimate(ACCOUNTS, {"refs": refs}, default_options()) == 10
    await clean.algod.faults(status=503, count=3)
    async with serve_graph(sandboxes.settings(max_upstream_calls=10), http) as graph:
        body = await graph.query(ACCOUNTS, {"refs": refs})
    assert await clean.algod.total() == 10
    # The lists read their failures as data (`errors`): no GraphQL error repeats them.
    assert "errors" not in body
    accounts = body["data"]["accounts"]
    answered = [a for a in accounts if a["holdings"]["nodes"] is not None]
    failed_paths = {i for i, a in enumerate(accounts) if a["holdings"]["errors"]}
    assert [a["address"] for a in accounts] == [ref["address"] for ref in refs]
    assert 0 < len(failed_paths) <= 3  # at most the accounts the retries left short
    assert len(answered) == 5  # a failed `holdings` is an empty connection beside its error
    for index, account in enumerate(accounts):  # ... that says it is not whole, and why
        holdings = account["holdings"]
        if index in failed_paths:
            assert holdings["complete"] is False, account
            assert holdings["errors"] == [{"code": "QUERY_TOO_COMPLEX", "source": "ALGORAND"}]
        else:
            assert holdings["complete"] is True, account


async def test_reads_answered_by_the_shared_cache_cost_nothing(
    sandboxes: Sandboxes, http: aiohttp.ClientSession, clean: Sandboxes
) -> None:
    # Three of the five accounts are in the shared cache; the other two (4 calls) meet three
    # 503s (3 retries): 7 calls sent, within the limit of 10. Had each cached read cost a call,
    # the request would have needed 13.
    refs = addresses(5)
    settings = sandboxes.settings(max_upstream_calls=10, public_cache_ttl_seconds=60)
    async with serve_graph(settings, http) as graph:
        assert await graph.data(ACCOUNTS, {"refs": refs[:3]})
        await clean.reset()
        await clean.algod.faults(status=503, count=3)
        body = await graph.query(ACCOUNTS, {"refs": refs})
    assert codes(body) == [], body
    assert await clean.algod.total() == 7
