"""`SourceError`: something missing from an answer, and why, as data beside the answer.

The portfolio lists what it misses (`Portfolio.errors`), a holdings or positions connection
what it was cut or failed on (`errors`), an account what failed of it as a whole
(`Account.errors`: its providers). Failures are translated as everywhere else
(`schema.errors.describe`): a `SourceError` carries what the same failure carries as a GraphQL
error (code, source, message, provider, cause, `retryAfterSeconds`); the field reports that
error too unless the client read the `errors` that list it (`schema/soft.py`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from resolvers.portfolio import SourceProblem
from schema.enums import Source
from schema.errors import describe

if TYPE_CHECKING:
    from schema.account import Account

__all__ = ["SourceError"]


@strawberry.type(description="Something missing from an answer, and why.")
class SourceError:
    source: Source = strawberry.field(description="The source whose part is missing.")
    code: str = strawberry.field(
        description="The error code (as in GraphQL errors' `extensions.code`), e.g. "
        "UPSTREAM_UNAVAILABLE, PROVIDER_ERROR, UNAUTHENTICATED, HOLDINGS_TRUNCATED, "
        "HOLDINGS_INCOMPLETE."
    )
    message: str = strawberry.field(description="What went wrong; never a credential.")
    retry_after_seconds: int | None = strawberry.field(
        description="When the source said how long to wait before asking again."
    )
    account: Annotated[Account, strawberry.lazy("schema.account")] | None = strawberry.field(
        description="The account whose holdings are missing; null when the whole viewer "
        "part is (no bearer token)."
    )
    provider: str | None = strawberry.field(
        description="The Calico provider that could not be read, for PROVIDER_ERROR."
    )
    cause: str | None = strawberry.field(
        description="What the source said of the provider's failure (Calico's `errors[]`, "
        "e.g. unauthorized), for PROVIDER_ERROR."
    )

    @classmethod
    def of(cls, problem: SourceProblem) -> SourceError:
        from schema.account import Account

        message, extensions = describe(problem.error)
        retry = extensions.get("retryAfterSeconds")
        provider = extensions.get("provider")
        cause = extensions.get("cause")
        return cls(
            source=problem.source,
            code=str(extensions["code"]),
            message=message,
            retry_after_seconds=retry if isinstance(retry, int) else None,
            account=Account.of(problem.account) if problem.account else None,
            provider=provider if isinstance(provider, str) else None,
            cause=cause if isinstance(cause, str) else None,
        )
