"""What a 403 from algod means: a public provider's quota is spent.

algod itself refuses a wrong API token with 401 and has no 403 of its own; a public provider in
front of it does: Nodely answers "403 you exceeded daily byte or request quota" (its free tier's
policy, `upstream-samples/README.md`). Read as plain HTTP it would be "refused the credentials",
which sends an operator looking for a wrong token that is not there; it is a quota, spent until
the provider's day turns (or the plan changes).
"""

from __future__ import annotations

from sources.errors import UpstreamError, UpstreamQuotaExceeded
from sources.http import UpstreamResponse
from sources.source import Source

__all__ = ["provider_refusal"]


def provider_refusal(response: UpstreamResponse) -> UpstreamError | None:
    """The `UpstreamQuotaExceeded` of a 403; None for any other status."""
    if response.status != 403:
        return None
    return UpstreamQuotaExceeded(
        Source.ALGORAND,
        "algod's provider says the daily request or byte quota is spent (HTTP 403, as Nodely "
        "answers once a day's quota is used up): no request succeeds until it resets",
        status=403,
    )
