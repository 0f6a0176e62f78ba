"""`sources.http`, the one module that speaks HTTP to upstreams: statuses become the error tree,
`Retry-After` and JSON are read defensively, redirects are not followed, bodies are capped.
Requests go to a loopback aiohttp.web server started here."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import pytest_asyncio
from aiohttp import web

from sources.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamQuotaExceeded,
    UpstreamRateLimited,
    UpstreamUnauthorized,
    UpstreamUnavailable,
)
from sources.http import (
    DEFAULT_MAX_BODY_BYTES,
    HttpUpstream,
    Timeouts,
    Wiring,
    decode_json,
    error_for_status,
    parse_retry_after,
    path_segment,
)
from sources.source import Source

from .loopback import Loopback, closing_of, gzip_of_zeros, serving, upstream

MIB = 1024 * 1024
CAP = MIB
"""The cap the capped upstream of these tests has."""

# -- error_for_status -----------------------------------------------------------------------

STATUS_ERRORS: list[tuple[int, type[UpstreamError], str]] = [
    (429, UpstreamRateLimited, "UPSTREAM_RATE_LIMITED"),
    (402, UpstreamQuotaExceeded, "UPSTREAM_QUOTA_EXCEEDED"),
    (401, UpstreamUnauthorized, "UPSTREAM_UNAUTHORIZED"),
    (403, UpstreamUnauthorized, "UPSTREAM_UNAUTHORIZED"),
    (500, UpstreamUnavailable, "UPSTREAM_UNAVAILABLE"),
    (502, UpstreamUnavailable, "UPSTREAM_UNAVAILABLE"),
    (503, UpstreamUnavailable, "UPSTREAM_UNAVAILABLE"),
    (504, UpstreamUnavailable, "UPSTREAM_UNAVAILABLE"),
    (599, UpstreamUnavailable, "UPSTREAM_UNAVAILABLE"),
    (400, UpstreamBadResponse, "UPSTREAM_BAD_RESPONSE"),
    (404, UpstreamBadResponse, "UPSTREAM_BAD_RESPONSE"),
    (409, UpstreamBadResponse, "UPSTREAM_BAD_RESPONSE"),
    (418, UpstreamBadResponse, "UPSTREAM_BAD_RESPONSE"),
    (302, UpstreamBadResponse, "UPSTREAM_BAD_RESPONSE"),
    (204, UpstreamBadResponse, "UPSTREAM_BAD_RESPONSE"),
]


@pytest.mark.parametrize(("status", "kind", "code"), STATUS_ERRORS)
def test_an_unaccepted_status_becomes_its_error(
    status: int, kind: type[UpstreamError], code: str
) -> None:
    error = error_for_status(Source.CARDANO, status)
    assert type(error) is kind
    assert (error.code, error.status, error.source) == (code, status, Source.CARDANO)
    assert "CardanoBI" in error.message and str(status) in error.message


@pytest.mark.parametrize("status", [429, 500, 503])
def test_rate_limits_and_failures_carry_the_retry_after(status: int) -> None:
    error = error_for_status(Source.MESH, status, {"Retry-After": "7"})
    assert error.retry_after_seconds == 7


@pytest.mark.parametrize("status", [402, 401, 400])
def test_other_statuses_carry_no_retry_after(status: int) -> None:
    assert error_for_status(Source.MESH, status, {"Retry-After": "7"}).retry_after_seconds is None


@pytest.mark.parametrize("value", ["9" * 5000, "\u00b2", "Mon, Jan 20 00:00:00 " + "9" * 30])
@pytest.mark.parametrize("status", [429, 503])
def test_a_hostile_retry_after_is_no_advice_not_an_error(status: int, value: str) -> None:
    error = error_for_status(Source.ALGORAND, status, {"Retry-After": value})
    assert error.retry_after_seconds is None


@pytest.mark.parametrize(
    ("headers", "window", "seconds"),
    [
        ({}, 1.0, 1),  # CardanoBI's gateway: no Retry-After, its plans count per second
        ({}, 2.5, 3),  # rounded up, as the header would say it
        ({"Retry-After": "hmm"}, 1.0, 1),  # no valid advice is no advice
        ({"Retry-After": "7"}, 1.0, 7),  # the upstream's own advice wins
        ({"Retry-After": "0"}, 1.0, 0),
        ({}, 0.0, None),  # no window: the retries' backoff decides
    ],
)
def test_a_429_without_retry_after_asks_for_the_rate_window(
    headers: dict[str, str], window: float, seconds: int | None
) -> None:
    error = error_for_status(Source.CARDANO, 429, headers, window_seconds=window)
    assert error.retry_after_seconds == seconds


@pytest.mark.parametrize("status", [503, 402, 403])
def test_the_rate_window_is_only_a_429s(status: int) -> None:
    assert error_for_status(Source.CARDANO, status, window_seconds=1.0).retry_after_seconds is None


# -- parse_retry_after ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("0", 0),
        ("120", 120),
        (" 7 ", 7),
        ("9999999999", 9_999_999_999),
        ("99999999999", None),  # 11 digits: more than 300 years is no advice
        ("9" * 5000, None),  # int() would refuse it (ValueError), or spend time on it
        ("\u00b2", None),  # '²' is a digit to str.isdigit, not to int()
        ("\u0663", None),  # '٣', an Arabic-Indic digit that int() would read as 3
        ("-5", None),
        ("+5", None),
        ("1.5", None),
        ("1_0", None),
        ("", None),
        ("soon", None),
    ],
)
def test_delta_seconds_are_one_to_ten_ascii_digits(value: str | None, seconds: int | None) -> None:
    assert parse_retry_after(value) == seconds


NOW = datetime(1994, 11, 6, 8, 49, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("Sun, 06 Nov 1994 08:49:37 GMT", 37),  # IMF-fixdate
        ("Sunday, 06-Nov-94 08:49:37 GMT", 37),  # RFC 850
        ("Sun Nov  6 08:49:37 1994", 37),  # asctime, no zone: UTC
        ("Sun, 06 Nov 1994 09:49:37 +0100", 37),
        ("Sun, 06 Nov 1994 08:48:00 GMT", 0),  # in the past: retry now
    ],
)
def test_an_http_date_is_the_seconds_until_then(value: str, seconds: int) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


def test_a_fraction_of_a_second_rounds_up() -> None:
    now = datetime(1994, 11, 6, 8, 49, 36, 500_000, tzinfo=UTC)
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=now) == 1


@pytest.mark.parametrize(
    "value",
    [
        "Fri, 31 Dec 99999 23:59:59 GMT",  # year out of range
        "Mon, 01 Jan 2024 99:99:99 GMT",
        "Mon, 01 Jan 2024 00:00:00 +9999",  # offset of more than a day
        "Mon, Jan 20 00:00:00 " + "9" * 30,  # OverflowError inside email.utils
        "Mon, 20 Jan 2024 00:00:00 +" + "9" * 21,  # OverflowError inside email.utils
        "Mon, 01 Jan " + "9" * 5000 + " 00:00:00 GMT",
    ],
)
def test_an_unreadable_http_date_is_no_advice(value: str) -> None:
    assert parse_retry_after(value, now=NOW) is None


# -- decode_json ----------------------------------------------------------------------------


def test_json_numbers_are_exact_ints_and_decimals_never_floats() -> None:
    body = b'{"i": 18446744073709551615, "f": 0.1, "e": 1e-7, "z": -0.0, "n": [1.50]}'
    assert decode_json(Source.MESH, body) == {
        "i": 18446744073709551615,
        "f": Decimal("0.1"),
        "e": Decimal("1E-7"),
        "z": Decimal("-0.0"),
        "n": [Decimal("1.50")],
    }
    decoded = decode_json(Source.MESH, body)
    assert type(decoded["i"]) is int
    assert str(decoded["n"][0]) == "1.50"


def test_json_strings_and_constants_decode_as_json_says() -> None:
    assert decode_json(Source.MESH, '["é", true, null]'.encode()) == ["é", True, None]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[1] and more",
        b"NaN",
        b"[Infinity]",
        b'{"v": -Infinity}',
        b"\xff\xfe\xfd",
        b"<html>502 Bad Gateway</html>",
        b"[" * 100_000,  # RecursionError inside json
        b'{"a":' * 100_000,
        b"1" * 5000,  # past Python's int digit limit (ValueError inside json)
    ],
    ids=lambda body: repr(body[:20]),
)
def test_a_body_that_is_not_json_is_a_bad_response(body: bytes) -> None:
    with pytest.raises(UpstreamBadResponse) as caught:
        decode_json(Source.CALICO, body)
    assert caught.value.source is Source.CALICO
    assert caught.value.message == "Calico answered with a body that is not valid JSON"


# -- requests over loopback -----------------------------------------------------------------


async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def _redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/target")


TARGET_HITS: list[str] = []
"""The requests that reached `/target`, where only a followed redirect would go."""


async def _target(request: web.Request) -> web.Response:
    TARGET_HITS.append(request.path)
    return web.json_response({"followed": True})


async def _echo_path(request: web.Request) -> web.Response:
    return web.json_response({"raw_path": request.raw_path})


async def _bomb(request: web.Request) -> web.Response:
    return web.Response(
        body=gzip_of_zeros(8 * CAP, prefix=b'{"pad": "'),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )


async def _sized(request: web.Request) -> web.Response:
    return web.Response(body=b" " * int(request.query["size"]), content_type="application/json")


async def _declared_huge(request: web.Request) -> web.StreamResponse:
    """Declares 1 GiB, sends 10 bytes, then holds the connection open."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.content_length = 1024 * MIB
    await response.prepare(request)
    await response.write(b'{"pad": " ')
    await closing_of(request).wait()
    return response


async def _chunked(request: web.Request) -> web.StreamResponse:
    """No Content-Length: 64 KiB chunks until twice the cap, or the client leaves."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        for _ in range(2 * CAP // (64 * 1024)):
            await response.write(b" " * (64 * 1024))
        await response.write_eof()
    except ConnectionResetError:
        pass
    return response


@pytest_asyncio.fixture(scope="module")
async def server() -> AsyncIterator[Loopback]:
    routes = [
        web.get("/ok", _ok),
        web.get("/redirect", _redirect),
        web.get("/target", _target),
        web.get("/echo/{tail:.*}", _echo_path),
        web.get("/bomb", _bomb),
        web.get("/sized", _sized),
        web.get("/declared-huge", _declared_huge),
        web.get("/chunked", _chunked),
    ]
    async with serving(routes) as running:
        yield running


@pytest_asyncio.fixture(scope="module")
async def capped(server: Loopback) -> AsyncIterator[HttpUpstream]:
    async with upstream(
        Source.MESH, server.url, max_body_bytes=CAP, timeouts=Timeouts(total=5)
    ) as http:
        yield http


async def test_a_redirect_is_not_followed(capped: HttpUpstream) -> None:
    TARGET_HITS.clear()
    with pytest.raises(UpstreamBadResponse):
        await capped.request("GET", "/redirect")
    answer = await capped.request("GET", "/redirect", accept=(302,))
    assert (answer.status, answer.headers["Location"]) == (302, "/target")
    assert TARGET_HITS == []


async def test_a_gzip_bomb_is_refused_at_the_cap(server: Loopback, capped: HttpUpstream) -> None:
    started = time.monotonic()
    with pytest.raises(UpstreamBadResponse) as caught:
        await capped.request("GET", "/bomb")
    assert caught.value.message == f"Mesh answered with a body larger than {CAP} bytes"
    assert time.monotonic() - started < 2


async def test_a_declared_length_over_the_cap_is_refused_before_reading(
    capped: HttpUpstream,
) -> None:
    started = time.monotonic()
    with pytest.raises(UpstreamBadResponse, match="larger than"):
        await capped.request("GET", "/declared-huge")
    assert time.monotonic() - started < 2  # not the 5 s timeout: nothing was waited for


async def test_a_chunked_body_over_the_cap_is_refused(capped: HttpUpstream) -> None:
    with pytest.raises(UpstreamBadResponse, match="larger than"):
        await capped.request("GET", "/chunked")


async def test_a_body_of_exactly_the_cap_is_read_whole(capped: HttpUpstream) -> None:
    answer = await capped.request("GET", "/sized", params={"size": str(CAP)})
    assert len(answer.body) == CAP
    with pytest.raises(UpstreamBadResponse, match="larger than"):
        await capped.request("GET", "/sized", params={"size": str(CAP + 1)})


async def test_the_upstream_still_answers_after_a_refused_body(capped: HttpUpstream) -> None:
    for path in ("/bomb", "/declared-huge", "/chunked"):
        with pytest.raises(UpstreamBadResponse):
            await capped.request("GET", path)
        assert (await capped.request("GET", "/ok")).json() == {"ok": True}


async def test_the_default_cap_is_16_mib(server: Loopback) -> None:
    assert DEFAULT_MAX_BODY_BYTES == 16 * MIB
    async with upstream(Source.MESH, server.url) as http:
        answer = await http.request("GET", "/sized", params={"size": str(16 * MIB)})
        assert len(answer.body) == 16 * MIB
        with pytest.raises(UpstreamBadResponse, match=f"larger than {16 * MIB} bytes"):
            await http.request("GET", "/sized", params={"size": str(16 * MIB + 1)})


def test_a_cap_below_one_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        HttpUpstream(Source.MESH, "http://127.0.0.1:1", wiring=Wiring(max_body_bytes=0))


# -- path_segment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "segment"),
    [
        ("stake1u8fp0ltydlamndwxve0kq5gs7nwwmw3sz3tyhcwgjmk568c6ghfmh", None),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("../../x", "..%2F..%2Fx"),
        ("é", "%C3%A9"),
        ("a b", "a%20b"),
    ],
)
def test_a_path_segment_quotes_what_could_leave_the_segment(
    value: str, segment: str | None
) -> None:
    assert path_segment(value) == (segment or value)


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_a_segment_that_url_normalisation_folds_away_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="path segment"):
        path_segment(value)


async def test_a_quoted_segment_reaches_the_upstream_as_one_segment(
    capped: HttpUpstream,
) -> None:
    answer = await capped.request("GET", f"/echo/{path_segment('../../x?y#z')}/assets")
    assert answer.json() == {"raw_path": "/echo/..%2F..%2Fx%3Fy%23z/assets"}
