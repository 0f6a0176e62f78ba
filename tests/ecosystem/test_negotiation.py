"""Choosing the response media type from `Accept` (RFC 9110 quality values), as properties."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from web.negotiation import GRAPHQL_RESPONSE_JSON, JSON, response_media_type

UNRELATED = ["text/html", "text/*", "image/png", "application/xml", "application/xhtml+xml"]
OURS = [GRAPHQL_RESPONSE_JSON, JSON, "application/*", "*/*"]
QUALITIES = st.sampled_from(["", ";q=0", ";q=0.1", ";q=0.5", ";q=0.9", ";q=1", ";q=1.0"])
RANGES = st.lists(
    st.tuples(st.sampled_from(UNRELATED + OURS), QUALITIES).map("".join), min_size=1, max_size=6
)


@settings(max_examples=200, deadline=None)
@given(RANGES, st.randoms(use_true_random=False))
def test_the_order_of_the_ranges_never_changes_the_choice(
    ranges: list[str], rng: random.Random
) -> None:
    shuffled = list(ranges)
    rng.shuffle(shuffled)
    assert response_media_type(", ".join(ranges)) == response_media_type(", ".join(shuffled))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(UNRELATED), QUALITIES).map("".join), min_size=1))
def test_a_client_accepting_neither_json_media_type_gets_none(ranges: list[str]) -> None:
    assert response_media_type(", ".join(ranges)) is None


@settings(max_examples=100, deadline=None)
@given(RANGES)
def test_naming_graphql_response_json_first_with_full_quality_always_gets_it(
    ranges: list[str],
) -> None:
    cleaned = [r for r in ranges if not r.startswith(GRAPHQL_RESPONSE_JSON)]
    assert response_media_type(", ".join([GRAPHQL_RESPONSE_JSON, *cleaned])) == (
        GRAPHQL_RESPONSE_JSON
    )


def test_no_accept_header_is_application_json() -> None:
    assert response_media_type(None) == JSON
    assert response_media_type("  ") == JSON


def test_wildcards_alone_keep_the_legacy_application_json() -> None:
    assert response_media_type("*/*") == JSON
    assert response_media_type("application/*") == JSON


def test_a_refused_media_type_is_not_chosen_through_a_wildcard() -> None:
    assert response_media_type(f"*/*, {JSON};q=0") == GRAPHQL_RESPONSE_JSON
    assert response_media_type(f"*/*, {GRAPHQL_RESPONSE_JSON};q=0") == JSON
