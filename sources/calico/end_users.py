"""Calico's end-user codes: statuses 600 to 699, which refuse the user, not the request or the
service.

Calico's response codes page lists, in its HTTP status column, 601 Customer Not Found, 602
Customer Not Authorized and 603 Authentication Failed ("prompt the user to re-authenticate"),
and more end-user codes after those (the stored page is cut there). Read as plain HTTP they
would be server errors: retried, and held against Calico by its circuit breaker, so a few users
with expired sessions would open the circuit for every Calico user and each would be told
"unavailable". Each is the user's own problem, which only the user can fix by signing in to
Calico again: an `UpstreamUnauthenticated` that says so, and that shows Calico up.
"""

from __future__ import annotations

from sources.errors import UpstreamError, UpstreamUnauthenticated
from sources.http import UpstreamResponse
from sources.source import Source

__all__ = ["END_USER_STATUSES", "end_user_refusal"]

END_USER_STATUSES = range(600, 700)

_MEANINGS = {
    601: "does not know this user (601 Customer Not Found)",
    602: "says this user has not authorized the access (602 Customer Not Authorized)",
    603: "says the user's session has expired or is invalid (603 Authentication Failed)",
}
_AGAIN = "the user must re-authenticate with Calico and send the new access token in X-Calico-Token"


def end_user_refusal(response: UpstreamResponse) -> UpstreamError | None:
    """The `UpstreamUnauthenticated` an end-user code stands for; None for any other status."""
    status = response.status
    if status not in END_USER_STATUSES:
        return None
    meaning = _MEANINGS.get(status, f"refused this user with its end-user code {status}")
    return UpstreamUnauthenticated(Source.CALICO, f"Calico {meaning}: {_AGAIN}", status=status)
