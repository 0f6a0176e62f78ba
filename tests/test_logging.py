"""The log formats of `telemetry/logging.py`: one JSON object per record (extras kept, the
request id stamped), or classic text lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from telemetry.logging import JsonFormatter, RequestIdFilter, TextFormatter


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    named = logging.getLogger("tests.telemetry.formats")
    named.propagate = False
    named.setLevel(logging.DEBUG)
    yield named
    named.handlers.clear()
    named.propagate = True


def capture(
    logger: logging.Logger, formatter: logging.Formatter, request_id: str | None
) -> io.StringIO:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter(lambda: request_id))
    logger.addHandler(handler)
    return stream


def test_a_json_line_has_the_fields_the_request_id_and_the_extras(logger: logging.Logger) -> None:
    stream = capture(logger, JsonFormatter(), "req-9")
    logger.warning("upstream %s failed", "algod", extra={"source": "ALGORAND", "attempt": 2})
    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "tests.telemetry.formats"
    assert entry["message"] == "upstream algod failed"
    assert entry["request_id"] == "req-9"
    assert entry["source"] == "ALGORAND" and entry["attempt"] == 2
    assert entry["time"].endswith("+00:00")


def test_a_json_line_carries_the_traceback_of_an_exception(logger: logging.Logger) -> None:
    stream = capture(logger, JsonFormatter(), None)
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("it broke")
    entry = json.loads(stream.getvalue())
    assert entry["request_id"] is None
    assert "ValueError: boom" in entry["exception"]


def test_a_text_line_names_level_logger_and_request_id(logger: logging.Logger) -> None:
    stream = capture(logger, TextFormatter(), "req-3")
    logger.info("hello")
    assert stream.getvalue() == "INFO tests.telemetry.formats [req-3]: hello\n"
