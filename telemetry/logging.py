"""Structured logs: one JSON object per line, each with the id of the request it belongs to.

`configure_logging` installs one handler on the root logger, so every logger (ours, uvicorn's,
aiohttp's) writes the same way:

    {"time": "2026-11-21T06:31:04.123Z", "level": "WARNING", "logger": "holdings_graph.errors",
     "message": "upstream failure at ['account', 'holdings']: ALGORAND UPSTREAM_TIMEOUT",
     "request_id": "3f9c…", "pid": 4242, ...extra fields given with `extra=`}

`LOG_FORMAT=text` writes the classic `LEVEL logger [request id]: message` lines instead.
The request id comes from a getter the composition root passes in (the server's context
variable), since telemetry sits below every other layer and imports none of them.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

__all__ = ["JsonFormatter", "RequestIdFilter", "TextFormatter", "configure_logging"]

RequestIdGetter = Callable[[], str | None]

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "taskName"}
)


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (None outside a request)."""

    def __init__(self, request_id: RequestIdGetter) -> None:
        super().__init__()
        self._request_id = request_id

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = self._request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            # Tells the processes of `--workers N` apart.
            "pid": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`LEVEL logger [request id]: message`."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s %(name)s [%(request_id)s]: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = None
        return super().format(record)


def configure_logging(
    level: str,
    log_format: Literal["json", "text"],
    request_id: RequestIdGetter,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Route every logger through one handler on the root logger; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter(request_id))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # uvicorn's loggers keep their own handlers unless told to propagate to ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
    return handler
