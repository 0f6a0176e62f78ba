"""A request refused before execution: its HTTP status, `extensions.code` and extra headers."""

from __future__ import annotations

from collections.abc import Mapping

from cross_web import HTTPException

__all__ = ["RequestRefusal"]


class RequestRefusal(HTTPException):
    """An `HTTPException` (what Strawberry's view raises) carrying our code and headers."""

    def __init__(
        self,
        status_code: int,
        reason: str,
        *,
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(status_code, reason)
        self.code = code
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})
