"""Errors of a response sent in parts: each soft error goes with the part whose data holds its
field (or the null in its place), a failed fragment takes the soft errors under it, and one no
part holds goes with the last part. Frames are built as graphql-core 3.3 sends them."""

from __future__ import annotations

from typing import Any

from graphql import (
    ExecutionResult,
    GraphQLError,
    IncrementalDeferResult,
    IncrementalStreamResult,
    InitialIncrementalExecutionResult,
    SubsequentIncrementalExecutionResult,
)
from graphql.execution import CompletedResult, PendingResult

from resolvers.context import Problem
from resolvers.errors import BadUserInput
from schema.errors import PartErrors


def messages(errors: list[GraphQLError] | None) -> list[str]:
    return [error.message for error in errors or ()]


def soft(message: str, path: list[str | int]) -> Problem:
    """A soft error at `path`, listed by no `errors` field of the data."""
    return Problem(BadUserInput(message), tuple(path), tuple(path))


def test_each_soft_error_goes_with_the_part_that_holds_its_field() -> None:
    problems = [
        soft("deferred", ["viewer", "accounts", 0, "holdings"]),
        soft("initial", ["viewer", "accounts", 1, "source"]),
        soft("streamed", ["list", 1, "n"]),
        soft("nowhere", ["gone", "x"]),
    ]
    parts = PartErrors(problems)
    initial = InitialIncrementalExecutionResult(
        data={"viewer": {"accounts": [{"source": "CALICO"}, {"source": "MESH"}]}, "list": [{}]},
        pending=[
            PendingResult("0", ["viewer", "accounts", 0], "holdings"),
            PendingResult("1", ["list"]),
        ],
        has_next=True,
    )
    parts.translate(initial)
    assert messages(initial.errors) == ["initial"]
    assert initial.errors and initial.errors[0].extensions == {"code": "BAD_USER_INPUT"}
    fragment = IncrementalDeferResult(data={"holdings": {"nodes": []}}, id="0")
    parts.translate(
        SubsequentIncrementalExecutionResult(
            has_next=True, incremental=[fragment], completed=[CompletedResult("0")]
        )
    )
    assert messages(fragment.errors) == ["deferred"]
    assert fragment.errors and fragment.errors[0].path == ["viewer", "accounts", 0, "holdings"]
    # The stream's items start after the one the initial data had: item 1 is the first here.
    items = IncrementalStreamResult(items=[{"n": 2}], id="1")
    parts.translate(
        SubsequentIncrementalExecutionResult(
            has_next=False, incremental=[items], completed=[CompletedResult("1")]
        )
    )
    assert messages(items.errors) == ["streamed", "nowhere"]


def test_a_failed_fragment_takes_the_soft_errors_under_it() -> None:
    problems = [soft("under it", ["viewer", "accounts", 0, "holdings"])]
    parts = PartErrors(problems)
    initial = InitialIncrementalExecutionResult(
        data={"viewer": {}}, pending=[PendingResult("0", ["viewer"])], has_next=True
    )
    parts.translate(initial)
    assert initial.errors is None
    raised = GraphQLError(
        "raw", path=["viewer", "accounts"], original_error=BadUserInput("accounts: no")
    )
    failed = CompletedResult("0", errors=[raised])
    parts.translate(SubsequentIncrementalExecutionResult(has_next=False, completed=[failed]))
    assert messages(failed.errors) == ["accounts: no", "under it"]
    assert [e.extensions for e in failed.errors or ()] == [{"code": "BAD_USER_INPUT"}] * 2


def test_a_soft_error_under_a_null_goes_with_the_part_that_holds_the_null() -> None:
    problems = [soft("nulled", ["viewer", "accounts", 0, "holdings"])]
    parts = PartErrors(problems)
    data: dict[str, Any] = {"viewer": None}
    initial = InitialIncrementalExecutionResult(
        data=data, pending=[PendingResult("0", [])], has_next=True
    )
    parts.translate(initial)
    assert messages(initial.errors) == ["nulled"]


def test_one_whole_result_gets_every_soft_error_once() -> None:
    problems = [soft("one", ["a"]), soft("two", ["b", 0])]
    result = ExecutionResult(data={"a": None}, errors=None)
    PartErrors(problems).translate(result)
    assert messages(result.errors) == ["one", "two"]


def test_a_soft_error_no_part_holds_goes_with_the_last_part_even_an_empty_one() -> None:
    parts = PartErrors([soft("nowhere", ["gone"])])
    parts.translate(
        InitialIncrementalExecutionResult(
            data={"a": {}}, pending=[PendingResult("0", ["a"])], has_next=True
        )
    )
    last = SubsequentIncrementalExecutionResult(has_next=False, completed=[CompletedResult("0")])
    parts.translate(last)
    (carrier,) = last.incremental or ()
    assert isinstance(carrier, IncrementalDeferResult)
    assert carrier.id == "0" and carrier.data == {}
    assert messages(carrier.errors) == ["nowhere"]


def test_an_unexpected_error_in_a_deferred_part_is_masked() -> None:
    parts = PartErrors([])
    parts.translate(
        InitialIncrementalExecutionResult(
            data={"a": {}}, pending=[PendingResult("0", ["a"])], has_next=True
        )
    )
    raised = GraphQLError(
        "token=secret", path=["a", "b"], original_error=RuntimeError("token=secret")
    )
    fragment = IncrementalDeferResult(data={"b": None}, id="0", errors=[raised])
    parts.translate(SubsequentIncrementalExecutionResult(has_next=False, incremental=[fragment]))
    (error,) = fragment.errors or ()
    assert error.message == "Internal server error"
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert error.path == ["a", "b"]


def test_a_soft_error_whose_errors_field_a_part_holds_is_left_out_of_every_part() -> None:
    # The list at ["a", "list"] lists its failure in `errors` (answered under the key
    # `failures`); the other list at ["b", "list"] does not ask.
    listed = soft("listed", ["a", "list"])
    unread = soft("unread", ["b", "list"])
    out: list[Problem] = []
    parts = PartErrors([listed, unread], {(("a", "list"), "failures")}, out)
    initial = InitialIncrementalExecutionResult(
        data={"a": {}, "b": {"list": {"nodes": []}}},
        pending=[PendingResult("0", ["a"])],
        has_next=True,
    )
    parts.translate(initial)
    assert messages(initial.errors) == ["unread"]
    fragment = IncrementalDeferResult(data={"list": {"nodes": [], "failures": []}}, id="0")
    last = SubsequentIncrementalExecutionResult(
        has_next=False, incremental=[fragment], completed=[CompletedResult("0")]
    )
    parts.translate(last)
    assert fragment.errors is None
    assert out == [listed]


def test_an_errors_field_under_a_null_lists_nothing() -> None:
    problem = soft("nulled", ["a", "list"])
    result = ExecutionResult(data={"a": None})
    PartErrors([problem], {(("a", "list"), "errors")}).translate(result)
    assert messages(result.errors) == ["nulled"]
