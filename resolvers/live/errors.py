"""The refusals of live subscriptions (GraphQL errors with their own codes; `schema/errors.py`
translates them with every other `GraphError`).

    TooManySubscriptions   a limit on open subscriptions (per connection, per user, per process)
    SlowConsumer           the subscriber did not take its events as fast as they came
    RelayedError           a failure another replica met, as it described it (code, message,
                           extensions), so its subscribers see the same error
"""

from __future__ import annotations

from typing import Any

from resolvers.errors import GraphError

__all__ = ["RelayedError", "SlowConsumer", "TooManySubscriptions"]


class TooManySubscriptions(GraphError):
    code = "TOO_MANY_SUBSCRIPTIONS"


class SlowConsumer(GraphError):
    code = "SLOW_CONSUMER"


class RelayedError(GraphError):
    """An error described elsewhere: `extensions()` gives back what the describer said."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, extensions: dict[str, Any]) -> None:
        super().__init__(message)
        self._extensions = dict(extensions)

    def extensions(self) -> dict[str, Any]:
        return dict(self._extensions)
