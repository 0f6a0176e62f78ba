"""`JsonObject`: typed, exact and bounded access to upstream JSON, every refusal one
`UpstreamBadResponse` that names the source and the field, and never repeats a number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sources.errors import UpstreamBadResponse
from sources.http import decode_json
from sources.parsing import (
    MAX_ADJUSTED_EXPONENT,
    MAX_SIGNIFICANT_DIGITS,
    UINT64_MAX,
    JsonObject,
    expect_list,
    expect_object,
)
from sources.source import Source


def obj(**fields: Any) -> JsonObject:
    return expect_object(Source.CALICO, fields, "the position")


def refused(field: Any, *, minimum: Decimal | int | None = None) -> UpstreamBadResponse:
    with pytest.raises(UpstreamBadResponse) as caught:
        obj(v=field).decimal("v", minimum=minimum)
    error = caught.value
    assert error.source is Source.CALICO
    assert "the position: field 'v'" in error.message
    return error


# -- shapes ---------------------------------------------------------------------------------


def test_expect_object_and_list_refuse_other_json() -> None:
    with pytest.raises(UpstreamBadResponse, match="the answer is not a JSON object"):
        expect_object(Source.MESH, [1], "the answer")
    with pytest.raises(UpstreamBadResponse, match="the items is not a JSON array"):
        expect_list(Source.MESH, {"a": 1}, "the items")
    assert expect_list(Source.MESH, [1], "the items") == [1]


def test_a_missing_or_null_field_is_named() -> None:
    for position in (obj(), obj(v=None)):
        with pytest.raises(UpstreamBadResponse, match="field 'v' is missing"):
            position.string("v")


def test_optional_fields_are_none_when_absent_or_null() -> None:
    position = obj(n=None)
    assert position.opt_string("n") is None
    assert position.opt_integer("x") is None
    assert position.opt_boolean("x") is None
    assert position.opt_decimal("x", minimum=0) is None
    assert position.opt_obj("x") is None
    assert position.opt_array("n") == []


def test_nested_objects_name_their_path() -> None:
    position = obj(items=[{"a": 1}, "x"])
    with pytest.raises(UpstreamBadResponse, match=r"the position\.items\[1\] is not a JSON object"):
        list(position.objects("items"))


@pytest.mark.parametrize(
    ("method", "value"),
    [("string", 7), ("boolean", "true"), ("boolean", 1), ("integer", "5"), ("integer", True)],
)
def test_a_wrong_type_is_refused(method: str, value: Any) -> None:
    with pytest.raises(UpstreamBadResponse, match="field 'v' is not"):
        getattr(obj(v=value), method)("v")


# -- integers -------------------------------------------------------------------------------


def test_integers_are_exact_up_to_uint64() -> None:
    assert UINT64_MAX == 2**64 - 1
    assert obj(v=UINT64_MAX).integer("v") == UINT64_MAX
    with pytest.raises(UpstreamBadResponse, match=r"outside 0\.\.18446744073709551615"):
        obj(v=UINT64_MAX + 1).integer("v")
    with pytest.raises(UpstreamBadResponse, match="outside"):
        obj(v=-1).integer("v")
    assert obj(v=-1).integer("v", minimum=-5) == -1


def test_an_integral_decimal_is_no_integer() -> None:
    with pytest.raises(UpstreamBadResponse, match="not an integer"):
        obj(v=Decimal("5.0")).integer("v")


# -- decimals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "exact"),
    [
        (12, "12"),
        (-3, "-3"),
        (Decimal("0.1"), "0.1"),
        (Decimal("2500.50"), "2500.50"),
        ("0.000000000000000001", "1E-18"),
        ("-0.5", "-0.5"),
        ("0", "0"),
        ("-0", "-0"),
        ("1e5", "1E+5"),
        ("1E-60", "1E-60"),
        ("9.99E+60", "9.99E+60"),
        ("1." + "1" * (MAX_SIGNIFICANT_DIGITS - 1), "1." + "1" * (MAX_SIGNIFICANT_DIGITS - 1)),
    ],
)
def test_numbers_and_numeric_strings_are_read_exactly(value: Any, exact: str) -> None:
    assert str(obj(v=value).decimal("v")) == exact


@pytest.mark.parametrize(
    "text",
    [
        "1_000",  # Decimal() takes underscores; JSON does not
        " 1",
        "1 ",
        "+1",
        ".5",
        "5.",
        "01",
        "0x10",
        "١٢٣",  # Arabic-Indic digits, which Decimal() reads as 123
        "\uff11\uff12",  # fullwidth digits
        "1e",
        "NaN",
        "Infinity",
        "-Infinity",
        "sNaN",
        "",
        "lots",
    ],
)
def test_a_string_outside_the_json_number_grammar_is_refused(text: str) -> None:
    assert "is not a number" in refused(text).message


@pytest.mark.parametrize("value", [True, False, [1], {"v": 1}])
def test_other_json_is_no_number(value: Any) -> None:
    assert "is not a number" in refused(value).message


@pytest.mark.parametrize(
    "text",
    [
        "1e999999999999999999",
        "1E+61",
        "1E-61",
        "-1E+5000",
        "0E-999999999",  # zero, but written out a billion digits long
        "123456789e55",
    ],
)
@pytest.mark.parametrize("written", ["number", "string"])
def test_a_number_of_absurd_magnitude_is_refused_without_repeating_it(
    text: str, written: str
) -> None:
    value = decode_json(Source.CALICO, text.encode()) if written == "number" else text
    error = refused(value)
    assert f"exponent is outside -{MAX_ADJUSTED_EXPONENT}..{MAX_ADJUSTED_EXPONENT}" in (
        error.message
    )
    assert text.lstrip("-") not in error.message


def test_a_huge_json_integer_is_refused_too() -> None:
    assert "exponent is outside" in refused(10**61).message


def test_more_than_80_significant_digits_are_refused() -> None:
    digits = "1." + "1" * MAX_SIGNIFICANT_DIGITS
    for value in (digits, decode_json(Source.CALICO, digits.encode())):
        error = refused(value)
        assert "more than 80 significant digits" in error.message
        assert digits not in error.message


def test_a_minimum_refuses_smaller_numbers() -> None:
    assert obj(v="0").decimal("v", minimum=0) == 0
    assert obj(v="-0").decimal("v", minimum=0) == 0
    assert "less than 0" in refused("-0.5", minimum=0).message
    assert "less than 1.5" in refused(1, minimum=Decimal("1.5")).message
    assert obj(v=-7).decimal("v") == -7  # no minimum: returns and the like may be negative
