"""Errors the graph raises itself (as opposed to an upstream's failure, `sources.errors`).

    GraphError                 a request the graph refuses; `code` is its `extensions.code`
    ├── BadUserInput           malformed address, `first` out of range, bad or foreign cursor/id
    ├── Unauthenticated        custodial data asked without a valid bearer token
    ├── Forbidden              custodial data of another user
    ├── ProviderFailed         Calico reported one provider failing (`errors[]`); carries
    │                          `source`, `provider` and `cause`, other providers still answer
    ├── ScanBudgetSpent        a filter or lookup the graph does page by page needed more
    │                          pages than the request had left (QUERY_TOO_COMPLEX)
    ├── HoldingsTruncated      the portfolio read its cap of one account's holdings and the
    │                          account holds more; carries `source`
    └── HoldingsIncomplete     the upstream gave part of an account's list and will not give
                               the rest (CardanoBI's first 100 tokens); carries `source`

Messages name the bad value and say what would be right; they never contain a credential.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from sources import Source

if TYPE_CHECKING:
    from resolvers.records import AccountRecord

__all__ = [
    "BadUserInput",
    "Forbidden",
    "GraphError",
    "HoldingsIncomplete",
    "HoldingsTruncated",
    "ProviderFailed",
    "ScanBudgetSpent",
    "Unauthenticated",
    "shown",
]


class GraphError(Exception):
    """A refusal with a GraphQL error code."""

    code: ClassVar[str]

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code}


class BadUserInput(GraphError):
    code = "BAD_USER_INPUT"


class Unauthenticated(GraphError):
    code = "UNAUTHENTICATED"


class Forbidden(GraphError):
    code = "FORBIDDEN"


class ProviderFailed(GraphError):
    code = "PROVIDER_ERROR"

    def __init__(self, source: Source, provider: str, cause: str) -> None:
        super().__init__(f"{source.upstream} could not read provider {provider!r}: {cause}")
        self.source = source
        self.provider = provider
        self.cause = cause

    def extensions(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "source": self.source.value,
            "provider": self.provider,
            "cause": self.cause,
        }


class ScanBudgetSpent(GraphError):
    """A lookup the graph does page by page needed more pages than the request had left."""

    code = "QUERY_TOO_COMPLEX"


class HoldingsTruncated(GraphError):
    code = "HOLDINGS_TRUNCATED"

    def __init__(self, account: AccountRecord, cap: int) -> None:
        super().__init__(
            f"{account.source.value} account {account.address!r} holds more than {cap} "
            f"holdings; the portfolio counts its first {cap} (PORTFOLIO_MAX_HOLDINGS)"
        )
        self.source = account.source

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "source": self.source.value}


class HoldingsIncomplete(GraphError):
    """What the upstream would not give of an account's list: the list, a total or a lookup
    over it is known to miss items (the message says which, naming the account)."""

    code = "HOLDINGS_INCOMPLETE"

    def __init__(self, account: AccountRecord, message: str) -> None:
        super().__init__(message)
        self.source = account.source
        self.account = account

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "source": self.source.value}


def shown(value: str, limit: int = 80) -> str:
    """`value` as a message may quote it: whole when short, else its start and an ellipsis
    (a message names the bad value without echoing a megabyte of it)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"
