"""Structured logs: one JSON object per line, each with the id of the request it belongs to.

`configure_logging` installs one handler on the root logger, so every logger (ours, uvicorn's,
aiohttp's) writes the same way:

    {"time": "2026-11-21T06:31:04.123Z", "level": "WARNING", "logger": "holdings_graph.errors",
     "message": "upstream failure at ['account', 'holdings']: ALGORAND UPSTREAM_TIMEOUT",
     "request_id": "3f9c…", "pid": 4242, ...extra fields given with `extra=`}

`LOG_FORMAT=text` writes the classic `LEVEL logger [request id]: message` lines instead.
The request id comes from a getter the composition root passes in (the server's context
variable), since telemetry sits below every other layer and imports none of them.

uvicorn's access log writes each request's path with its query string, where a client may have
put a token (`?access_token=…`): `AccessLogRedaction` keeps the path and the parameters' names
and replaces every value with `…`, so no credential, and no GraphQL document sent by GET,
reaches a log line.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

__all__ = [
    "AccessLogRedaction",
    "JsonFormatter",
    "RequestIdFilter",
    "TextFormatter",
    "configure_logging",
    "redact_query",
]

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


_MAX_LOGGED_PARAMETERS = 10
_MAX_LOGGED_NAME = 32


def redact_query(target: str) -> str:
    """`target` (a path and query string) with every query value replaced by `…`."""
    path, separator, query = target.partition("?")
    if not separator:
        return target
    names = [pair.partition("=")[0][:_MAX_LOGGED_NAME] for pair in query.split("&") if pair]
    shown = [f"{name}=…" for name in names[:_MAX_LOGGED_PARAMETERS]]
    if len(names) > _MAX_LOGGED_PARAMETERS:
        shown.append(f"…{len(names) - _MAX_LOGGED_PARAMETERS} more")
    return f"{path}?{'&'.join(shown)}"


class AccessLogRedaction(logging.Filter):
    """Redacts the query string of uvicorn's access log records (`redact_query`).

    uvicorn logs `'%s - "%s %s HTTP/%s" %d'` with (client, method, path and query, HTTP
    version, status); the third argument is rewritten."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_query(args[2]), *args[3:])
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
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogRedaction) for f in access.filters):
        access.addFilter(AccessLogRedaction())
    return handler
