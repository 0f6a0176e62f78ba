"""Cache keys name what was read, in one spelling, and never a credential."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sources.cache.key import cache_key
from sources.source import Source


def test_a_key_is_namespaced_and_names_source_method_url_and_params() -> None:
    key = cache_key(
        Source.ALGORAND, "get", "https://node.example/algod", "/v2/accounts/A", {"exclude": "all"}
    )
    assert key == "holdings:v1:ALGORAND:GET:https://node.example/algod/v2/accounts/A?exclude=all"


def test_a_password_in_the_base_url_never_reaches_the_key() -> None:
    key = cache_key(Source.CARDANO, "GET", "https://user:s3cret@api.example:8443/x", "/p")
    assert "s3cret" not in key and "user" not in key
    assert key == "holdings:v1:CARDANO:GET:https://api.example:8443/x/p?"


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=5))
def test_the_order_of_params_does_not_change_the_key(params: dict[str, str]) -> None:
    reordered = dict(reversed(list(params.items())))
    assert cache_key(Source.ALGORAND, "GET", "http://h", "/p", params) == cache_key(
        Source.ALGORAND, "GET", "http://h", "/p", reordered
    )


def test_different_params_make_different_keys() -> None:
    base = (Source.ALGORAND, "GET", "http://h", "/p")
    assert cache_key(*base, {"limit": "1"}) != cache_key(*base, {"limit": "2"})
    assert cache_key(*base, {"a": "1&b=2"}) != cache_key(*base, {"a": "1", "b": "2"})


def test_an_absolute_urls_own_query_is_part_of_the_key() -> None:
    first = cache_key(Source.ALGORAND, "GET", "https://algod.example/v2/x?next=1", "")
    second = cache_key(Source.ALGORAND, "GET", "https://algod.example/v2/x?next=2", "")
    assert first != second
    assert first.endswith("?next=1")
