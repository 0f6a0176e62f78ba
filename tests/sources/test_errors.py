"""The `UpstreamError` tree: each class names its metrics outcome, and copies itself."""

from __future__ import annotations

from typing import get_args

import pytest

import sources.errors as errors
from sources.errors import UpstreamError, UpstreamRateLimited, UpstreamTimeout
from sources.observe import Outcome
from sources.source import Source

CLASSES = [getattr(errors, name) for name in errors.__all__ if name != "UpstreamError"]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_class_carries_the_outcome_its_code_names(cls: type[UpstreamError]) -> None:
    assert cls.outcome in get_args(Outcome)
    assert cls.outcome == cls.code.removeprefix("UPSTREAM_").lower()


def test_a_copy_is_the_same_error_with_its_own_message_and_the_same_cause() -> None:
    cause = ConnectionResetError("reset")
    original = UpstreamRateLimited(
        Source.MESH, "Mesh is rate limiting", status=429, retry_after_seconds=7, sent=False
    )
    original.__cause__ = cause
    copy = original.again("Mesh is rate limiting (after 3 attempts)")
    assert type(copy) is UpstreamRateLimited and copy is not original
    assert (copy.source, copy.status, copy.retry_after_seconds, copy.sent, copy.cut_short) == (
        Source.MESH,
        429,
        7,
        False,
        False,
    )
    assert copy.message == str(copy) == "Mesh is rate limiting (after 3 attempts)"
    assert copy.__cause__ is cause
    assert original.message == "Mesh is rate limiting"


def test_a_copy_without_a_message_keeps_the_message_and_what_cut_it_short() -> None:
    original = UpstreamTimeout(Source.ALGORAND, "algod did not answer", cut_short=True)
    copy = original.again()
    assert (copy.message, copy.cut_short, copy.code) == (
        "algod did not answer",
        True,
        "UPSTREAM_TIMEOUT",
    )
