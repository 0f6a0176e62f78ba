"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/), one requirement a test.

Each test is named after the requirement it checks, and speaks raw HTTP to the server under test
(no GraphQL client in between), so headers and status codes are what a client really gets.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sources.algod import sandbox_data as algod_data
from tests.harness import GraphClient, Sandboxes

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
QUERY = "query Chain($a: String!) { account(source: ALGORAND, address: $a) { chainId } }"
VARIABLES = {"a": algod_data.SMALL}


async def send(
    graph: GraphClient,
    method: str = "POST",
    *,
    body: bytes | str | None = None,
    json_body: Any = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], Any]:
    """(status, headers, parsed JSON body or None) of one raw request."""
    sent = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body)
        sent.setdefault("Content-Type", JSON)
    async with graph.http.request(
        method,
        graph.url,
        data=body,
        params=params,
        headers=sent,
        skip_auto_headers=["Content-Type"],  # only the Content-Type a test sets
    ) as response:
        text = await response.text()
        parsed = json.loads(text) if text and response.content_type.endswith("json") else None
        return response.status, dict(response.headers), parsed


def media_type(headers: dict[str, str]) -> str:
    return headers["Content-Type"].split(";")[0].strip()


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert set(body) == {"errors"}, body
    (error,) = body["errors"]
    return error  # type: ignore[no-any-return]


# Media types


async def test_server_must_accept_application_json_post_and_default_to_application_json(
    graph: GraphClient,
) -> None:
    status, headers, body = await send(graph, json_body={"query": QUERY, "variables": VARIABLES})
    assert status == 200
    assert media_type(headers) == JSON
    assert body == {"data": {"account": {"chainId": "algorand:wGHE2Pwdvd7S12BL5FaOP20EGYesN73k"}}}


async def test_server_should_use_graphql_response_json_when_the_client_accepts_it(
    graph: GraphClient,
) -> None:
    status, headers, body = await send(
        graph,
        json_body={"query": QUERY, "variables": VARIABLES},
        headers={"Accept": f"{GRAPHQL_RESPONSE_JSON}, {JSON};q=0.9"},
    )
    assert status == 200
    assert media_type(headers) == GRAPHQL_RESPONSE_JSON
    assert body["data"]["account"]["chainId"].startswith("algorand:")


async def test_server_should_accept_any_media_type_and_answer_application_json(
    graph: GraphClient,
) -> None:
    status, headers, _ = await send(
        graph, json_body={"query": "{ __typename }"}, headers={"Accept": "*/*"}
    )
    assert (status, media_type(headers)) == (200, JSON)


async def test_server_must_honour_the_quality_the_client_gives_each_media_type(
    graph: GraphClient,
) -> None:
    accept = f"{GRAPHQL_RESPONSE_JSON};q=0.5, {JSON}"
    _, headers, _ = await send(
        graph, json_body={"query": "{ __typename }"}, headers={"Accept": accept}
    )
    assert media_type(headers) == JSON


async def test_server_should_respond_406_when_it_supports_no_accepted_media_type(
    graph: GraphClient,
) -> None:
    status, headers, body = await send(
        graph, json_body={"query": "{ __typename }"}, headers={"Accept": "text/xml"}
    )
    assert status == 406
    assert media_type(headers) == JSON
    error = only_error(body)
    assert "text/xml" in error["message"]
    assert error["extensions"]["code"] == "NOT_ACCEPTABLE"


# GET


async def test_get_must_execute_a_query_given_in_the_url(graph: GraphClient) -> None:
    params = {"query": QUERY, "variables": json.dumps(VARIABLES), "operationName": "Chain"}
    status, headers, body = await send(graph, "GET", params=params, headers={"Accept": JSON})
    assert (status, media_type(headers)) == (200, JSON)
    assert body["data"]["account"]["chainId"].startswith("algorand:")


async def test_get_must_not_execute_a_mutation_and_answers_405_allowing_post(
    graph: GraphClient, clean: Sandboxes
) -> None:
    params = {"query": "mutation { refreshHoldings(source: CALICO) { accepted } }"}
    headers = {**graph.headers("alice", calico=True), "Accept": GRAPHQL_RESPONSE_JSON}
    status, sent, body = await send(graph, "GET", params=params, headers=headers)
    assert status == 405
    assert sent["Allow"] == "POST"
    assert "mutation" in only_error(body)["message"]
    assert await clean.calico.total() == 0


async def test_get_variables_that_are_not_a_json_object_are_400(graph: GraphClient) -> None:
    params = {"query": QUERY, "variables": "[1]"}
    status, _, body = await send(graph, "GET", params=params, headers={"Accept": JSON})
    assert status == 400
    assert "variables" in only_error(body)["message"]


async def test_server_answers_405_allowing_get_and_post_to_other_methods(
    graph: GraphClient,
) -> None:
    status, headers, body = await send(graph, "PUT", json_body={"query": "{ __typename }"})
    assert status == 405
    assert headers["Allow"] == "GET, POST"
    assert "PUT" in only_error(body)["message"]


# Malformed requests


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/graphql"])
async def test_post_with_a_media_type_other_than_application_json_is_415(
    graph: GraphClient, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    status, _, body = await send(
        graph, body=json.dumps({"query": "{ __typename }"}).encode(), headers=headers
    )
    assert status == 415
    error = only_error(body)
    assert error["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert (repr(content_type) if content_type else "no Content-Type") in error["message"]


MALFORMED = {
    "body is not JSON": ("{query: ", "JSON"),
    "body is not an object": ('"{ __typename }"', "JSON object"),
    "no query": ("{}", "query"),
    "query is not a string": ('{"query": 7}', "`query` must be a string"),
    "variables are not an object": (
        '{"query": "{ __typename }", "variables": [1]}',
        "`variables` must be an object",
    ),
}


@pytest.mark.parametrize("accept", [JSON, GRAPHQL_RESPONSE_JSON])
@pytest.mark.parametrize(("body", "said"), list(MALFORMED.values()), ids=list(MALFORMED))
async def test_a_request_that_is_not_a_well_formed_graphql_request_is_400_saying_why(
    graph: GraphClient, accept: str, body: str, said: str
) -> None:
    status, headers, answer = await send(
        graph, body=body, headers={"Content-Type": JSON, "Accept": accept}
    )
    assert status == 400
    assert media_type(headers) == accept
    error = only_error(answer)
    assert said in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


# Status codes of application/graphql-response+json


REQUEST_ERRORS = {
    "document does not parse": ("{ account(", {}),
    "document does not validate": ("{ nosuchfield }", {}),
    "variables do not coerce": (QUERY, {"a": 7}),
}


@pytest.mark.parametrize(
    ("query", "variables"), list(REQUEST_ERRORS.values()), ids=list(REQUEST_ERRORS)
)
async def test_graphql_response_json_request_errors_are_400(
    graph: GraphClient, clean: Sandboxes, query: str, variables: dict[str, Any]
) -> None:
    status, headers, body = await send(
        graph,
        json_body={"query": query, "variables": variables},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )
    assert status == 400
    assert media_type(headers) == GRAPHQL_RESPONSE_JSON
    assert "data" not in body  # execution never began
    assert body["errors"]
    assert await clean.algod.total() == 0


@pytest.mark.parametrize(
    ("query", "variables"), list(REQUEST_ERRORS.values()), ids=list(REQUEST_ERRORS)
)
async def test_application_json_request_errors_are_200_under_the_legacy_rules(
    graph: GraphClient, query: str, variables: dict[str, Any]
) -> None:
    status, headers, body = await send(
        graph, json_body={"query": query, "variables": variables}, headers={"Accept": JSON}
    )
    assert (status, media_type(headers)) == (200, JSON)
    assert "data" not in body  # execution never began
    assert body["errors"]


async def test_graphql_response_json_is_200_once_execution_started_even_with_field_errors(
    graph: GraphClient,
) -> None:
    bad = {"a": algod_data.SMALL[:-1] + "A"}
    status, _, body = await send(
        graph,
        json_body={"query": QUERY, "variables": bad},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )
    assert status == 200
    assert body["data"] == {"account": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_graphql_response_json_is_400_when_the_operation_name_matches_nothing(
    graph: GraphClient,
) -> None:
    status, _, body = await send(
        graph,
        json_body={"query": QUERY, "variables": VARIABLES, "operationName": "Nope"},
        headers={"Accept": GRAPHQL_RESPONSE_JSON},
    )
    assert status == 400
    assert "Nope" in only_error(body)["message"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "query A { __typename }", "operationName": "\\ud800"}',
        b'{"query": "query($s: Source!) { providers(source: $s) { totalCount } }",'
        b' "variables": {"s": "\\ud800"}}',
    ],
    ids=["operation name", "enum variable"],
)
async def test_a_lone_surrogate_in_the_request_is_answered_not_a_server_error(
    graph: GraphClient, body: bytes
) -> None:
    # JSON allows "\ud800"; Python reads it as a lone surrogate, which UTF-8 cannot encode.
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    async with graph.http.post(graph.url, data=body, headers=headers) as response:
        assert response.status in (200, 400)
        answer = json.loads(await response.read())
    assert answer["errors"], answer
