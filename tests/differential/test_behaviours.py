"""The limits and the soft errors behave the same on the compiled plan as on graphql-core's
executor, and each case shows the behaviour it is about (so a case that stopped exercising it
fails here rather than passing as one more agreeing document).

- **limits**: every query limit, tightened so that one document is over it, refuses that
  document the same way on both executors (before either runs, with the same coded error
  naming the setting, and no upstream call); the same document under the usual limits runs on
  a plan. The limits resolvers enforce (`first`, the ids of `nodes`) fail the field alike.
- **`@defer` and `@stream` in one body** (the differential runs ask for no parts): deferred
  fragments and streamed lists are completed in place alike, whatever their `if`, and a bad
  `initialCount` fails the streamed list alike.
- **the call budget held while the request runs**: the call a retry would add past
  MAX_UPSTREAM_CALLS is not sent, and the list that needed it is cut alike.
- **soft errors**: lists cut or failed as data beside the answer (`complete`, `errors`,
  HOLDINGS_INCOMPLETE, UPSTREAM_BAD_RESPONSE, a later page failing, a failing Calico provider,
  the portfolio's errors), each through a sandbox playing that answer, answer the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sources.algod import sandbox_data as algod_data
from sources.cardanobi import sandbox_data as cardano_data
from sources.resilience.deadline import DEADLINE
from tests.differential.runner import Case, Differential

_WHALE = {"source": "ALGORAND", "address": algod_data.WHALE}
_LEAVES = "id amount rawAmount valueUsd isFrozen round walletAddress"
_HOLDINGS = """
query($source: Source!, $address: String!, $first: Int) {
  account(source: $source, address: $address) {
    holdings(first: $first) {
      nodes { id amount rawAmount asset { kind symbol name nameHex assetId fingerprint } }
      pageInfo { hasNextPage endCursor }
      totalCount
      complete
      errors { source code message retryAfterSeconds provider account { source address } }
    }
  }
}
"""
_PORTFOLIO = """
query($accounts: [AccountRef!]) {
  portfolio(accounts: $accounts, includeViewer: false) {
    totalValueUsd holdingsCount
    bySource { source holdingsCount complete }
    errors { source code message account { source address } }
  }
}
"""


def _codes(response: Any) -> list[str]:
    return [error["extensions"]["code"] for error in response.get("errors", ())]


def _listed(value: Any) -> list[str]:
    """The codes of the `errors` fields in `value` (the failures read as data), in order."""
    if isinstance(value, list):
        return [code for item in value for code in _listed(item)]
    if not isinstance(value, dict):
        return []
    codes = [e["code"] for e in value.get("errors") or () if isinstance(e, dict) and "code" in e]
    return codes + [c for k, v in value.items() if k != "errors" for c in _listed(v)]


# --- limits ---------------------------------------------------------------------------------------

_WHALE_PAGE = (
    f'query {{ account(source: ALGORAND, address: "{algod_data.WHALE}") {{ holdings(first: 100) '
    f"{{ nodes {{ {_LEAVES} asset {{ id symbol name decimals }} }} }} }} }}"
)
_TWENTY_ACCOUNTS = (
    "query($refs: [AccountRef!]!) { accounts(refs: $refs) { holdings(first: 5) { nodes { id } } } }"
)
_TWENTY = {"refs": [{"source": "ALGORAND", "address": a} for a in algod_data.BENCH_ADDRESSES[:20]]}
_DOUBLED = (
    f'query {{ account(source: ALGORAND, address: "{algod_data.SMALL}") {{ ...A ...A }} }}\n'
    "fragment A on Account { ...B ...B }\nfragment B on Account { ...C ...C }\n"
    "fragment C on Account { id address source }"
)

LIMITS: list[tuple[str, dict[str, int], Case]] = [
    ("MAX_QUERY_DEPTH", {"max_query_depth": 4}, Case(_WHALE_PAGE)),
    (
        "MAX_QUERY_ALIASES",
        {"max_query_aliases": 1},
        Case(
            f'query {{ a: account(source: ALGORAND, address: "{algod_data.SMALL}") {{ id }} '
            f'b: account(source: ALGORAND, address: "{algod_data.EMPTY}") {{ id }} }}'
        ),
    ),
    ("MAX_QUERY_COST", {"max_query_cost": 100}, Case(_WHALE_PAGE)),
    ("MAX_RESPONSE_FIELDS", {"max_response_fields": 1000}, Case(_WHALE_PAGE)),
    ("MAX_UPSTREAM_CALLS", {"max_upstream_calls": 10}, Case(_TWENTY_ACCOUNTS, _TWENTY)),
    ("MAX_QUERY_SELECTIONS", {"max_query_selections": 20}, Case(_DOUBLED)),
    ("MAX_QUERY_TOKENS", {"max_query_tokens": 20}, Case(_WHALE_PAGE)),
]


@pytest.mark.parametrize(("setting", "tight", "case"), LIMITS, ids=[s for s, _, _ in LIMITS])
async def test_a_limit_refuses_alike_on_both_executors(
    differential: Differential, setting: str, tight: dict[str, int], case: Case
) -> None:
    usual = await differential.check(case)
    assert not usual.problems, "\n".join(usual.problems)
    assert usual.executor == "plan:compiled", usual.executor
    assert "errors" not in usual.response, usual.response
    refused = await differential.with_options(**tight).check(case)
    assert not refused.problems, "\n".join(refused.problems)
    assert refused.executor == "", refused.executor  # neither executor ran
    assert refused.upstream_requests == 0
    assert _codes(refused.response) == ["QUERY_TOO_COMPLEX"], refused.response
    assert f"{setting}={next(iter(tight.values()))}" in refused.response["errors"][0]["message"]


RESOLVER_LIMITS: list[tuple[str, dict[str, int], Case]] = [
    (
        "first over MAX_FIRST",
        {},
        Case(_HOLDINGS, {"source": "ALGORAND", "address": algod_data.WHALE, "first": 101}),
    ),
    (
        "ids over MAX_IDS",
        {"max_ids": 2},
        Case(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } a: account(source: ALGORAND, "
            f'address: "{algod_data.SMALL}") {{ id address }} }}',
            {"ids": ["x", "y", "z"]},
        ),
    ),
]


@pytest.mark.parametrize(
    ("what", "options", "case"), RESOLVER_LIMITS, ids=[w for w, _, _ in RESOLVER_LIMITS]
)
async def test_a_limit_a_resolver_enforces_fails_the_field_alike(
    differential: Differential, what: str, options: dict[str, int], case: Case
) -> None:
    outcome = await differential.with_options(**options).check(case)
    assert not outcome.problems, "\n".join(outcome.problems)
    assert outcome.executor == "plan:compiled", outcome.executor
    assert outcome.upstream_requests <= 1
    # A list the limit fails lists it in its `errors` when asked for them, else the GraphQL error.
    codes = _codes(outcome.response) + _listed(outcome.response["data"])
    assert codes == ["BAD_USER_INPUT"], outcome.response


# --- @defer and @stream in one body ---------------------------------------------------------------

_DEFERRED = """query($a: String!, $d: Boolean!, $s: Boolean!, $n: Int!) {
  account(source: ALGORAND, address: $a) {
    id
    ... @defer(if: $d, label: "page") { two: holdings(first: 2) { complete nodes { id } } }
    holdings(first: 3) {
      complete
      nodes @stream(if: $s, initialCount: $n) { id rawAmount asset { symbol nameHex } }
    }
  }
}"""


def _incremental(d: bool, s: bool, n: int = 1) -> Case:
    return Case(_DEFERRED, {"a": algod_data.SMALL, "d": d, "s": s, "n": n})


INCREMENTAL: list[tuple[str, Case, list[str]]] = [
    ("deferred and streamed", _incremental(True, True), []),
    ("neither (if: false)", _incremental(False, False), []),
    ("streamed, not deferred", _incremental(False, True), []),
]


@pytest.mark.parametrize(
    ("what", "case", "failed"), INCREMENTAL, ids=[w for w, _, _ in INCREMENTAL]
)
async def test_defer_and_stream_in_one_body_answer_alike_on_both_executors(
    differential: Differential, what: str, case: Case, failed: list[str]
) -> None:
    outcome = await differential.check(case)
    assert not outcome.problems, "\n".join(outcome.problems)
    assert outcome.executor == "plan:compiled", outcome.executor
    errors = outcome.response.get("errors", [])
    assert [error["path"] for error in errors] == ([failed] if failed else []), errors
    if not failed:
        assert len(outcome.response["data"]["account"]["holdings"]["nodes"]) == 3


async def test_a_negative_initial_count_is_refused_before_either_executor_runs(
    differential: Differential,
) -> None:
    # graphql-core would fail the streamed list where it reads the stream's arguments, after
    # the upstream calls; the request is refused before execution (schema/incremental_arguments.py).
    outcome = await differential.check(_incremental(False, True, -1))
    assert not outcome.problems, "\n".join(outcome.problems)
    assert outcome.executor == "" and outcome.upstream_requests == 0, outcome
    assert _codes(outcome.response) == ["BAD_USER_INPUT"], outcome.response
    assert "not -1 (variable $n)" in outcome.response["errors"][0]["message"]


# --- the call budget, held while the request runs ---------------------------------------------

_FIVE = """query($refs: [AccountRef!]!) { accounts(refs: $refs) { address
  holdings(first: 1) { nodes { amount } complete errors { code source message } } } }"""


async def test_the_call_budget_cuts_a_list_alike_on_both_executors(
    differential: Differential,
) -> None:
    # Five accounts, a balance and a page each: 10 calls, the estimate and the limit. One 503
    # makes one retry, the eleventh call: it is not sent, and that account's list is cut.
    refs = [{"source": "ALGORAND", "address": a} for a in algod_data.BENCH_ADDRESSES[20:25]]
    case = Case(_FIVE, {"refs": refs}, faults=(("algod", {"status": 503, "count": 1}),))
    outcome = await differential.with_options(max_upstream_calls=10).check(case)
    assert not outcome.problems, "\n".join(outcome.problems)
    assert outcome.executor == "plan:compiled", outcome.executor
    # The list's `errors` is asked for: it stands in for the GraphQL error.
    assert _codes(outcome.response) == [], outcome.response
    cut = [a for a in outcome.response["data"]["accounts"] if not a["holdings"]["complete"]]
    assert len(cut) == 1, outcome.response
    assert [e["code"] for e in cut[0]["holdings"]["errors"]] == ["QUERY_TOO_COMPLEX"]


# --- soft errors ----------------------------------------------------------------------------------


def _small_page_with_one_malformed() -> str:
    """algod's answer for the small account with its middle holding's amount a string."""
    catalogue = algod_data.assets()
    entries = [
        {"asset-holding": h.to_json(), "asset-params": catalogue[h.asset_id].to_json()}
        for h in algod_data.account_holdings(algod_data.SMALL)
    ]
    entries[1]["asset-holding"]["amount"] = "lots"
    return json.dumps({"asset-holdings": entries, "round": algod_data.ROUND})


def _holdings_of(source: str, address: str, **case: Any) -> Case:
    return Case(_HOLDINGS, {"source": source, "address": address, "first": 100}, **case)


SOFT: list[tuple[str, Case, list[str]]] = [
    (
        "CardanoBI's first 100 tokens: HOLDINGS_INCOMPLETE",
        _holdings_of("CARDANO", cardano_data.COLLECTOR),
        ["HOLDINGS_INCOMPLETE"],
    ),
    (
        "one malformed algod holding costs only itself",
        _holdings_of(
            "ALGORAND",
            algod_data.SMALL,
            faults=(
                (
                    "algod",
                    {
                        "body": _small_page_with_one_malformed(),
                        "route": "GET /v2/accounts/{address}/assets",
                    },
                ),
            ),
        ),
        ["UPSTREAM_BAD_RESPONSE"],
    ),
    (
        "a later CardanoBI page failing keeps the pages before it",
        _holdings_of(
            "CARDANO",
            cardano_data.COLLECTOR,
            faults=(("cardanobi", {"status": 503, "query": "skip=99"}),),
            settings=(("cardanobi", {"odata": True}),),
        ),
        ["UPSTREAM_UNAVAILABLE"],
    ),
    (
        "a failing Calico provider",
        _holdings_of("CALICO", "alice", user="alice", calico="sandbox-calico-alice"),
        ["PROVIDER_ERROR"],
    ),
    (
        "the portfolio names the account cut and the one whose later page failed",
        Case(
            _PORTFOLIO,
            {"accounts": [_WHALE, {"source": "CARDANO", "address": cardano_data.COLLECTOR}]},
            faults=(("algod", {"status": 500, "query": "next="}),),
        ),
        ["HOLDINGS_INCOMPLETE", "UPSTREAM_UNAVAILABLE"],
    ),
]


@pytest.mark.parametrize(("what", "case", "codes"), SOFT, ids=[w for w, _, _ in SOFT])
async def test_a_soft_error_answers_alike_on_both_executors(
    differential: Differential, what: str, case: Case, codes: list[str]
) -> None:
    outcome = await differential.check(case)
    assert not outcome.problems, "\n".join(outcome.problems)
    assert outcome.executor == "plan:compiled", outcome.executor
    response = outcome.response
    # Each document reads the `errors` fields that list its failures: no GraphQL error.
    assert _codes(response) == [], response
    data = response["data"]
    if "portfolio" in data:
        assert {e["code"] for e in data["portfolio"]["errors"]} == set(codes)
        assert any(not part["complete"] for part in data["portfolio"]["bySource"])
    else:
        holdings = data["account"]["holdings"]  # the list stays, beside what it misses
        assert holdings["complete"] is False, holdings
        assert {e["code"] for e in holdings["errors"]} == set(codes), holdings["errors"]
        assert holdings["nodes"], holdings


async def test_a_case_leaves_no_request_deadline_in_the_callers_context(
    differential: Differential,
) -> None:
    # The sources' tests call clients outside any request: a deadline left behind by a fixture
    # of this package would fail them all once it passed.
    outcome = await differential.check(_holdings_of("ALGORAND", algod_data.SMALL))
    assert not outcome.problems and outcome.executor == "plan:compiled"
    assert DEADLINE.get() is None
