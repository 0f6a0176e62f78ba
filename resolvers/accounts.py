"""Which accounts a caller may name, and the checks made before any upstream call.

On-chain accounts are public: any well-formed address of the configured network may be asked,
and a malformed one is refused by its source (naming the value). Custodial accounts (CALICO,
MESH) are the caller's own only: the address is the user id, and anyone else's is forbidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Forbidden, GraphError
from resolvers.records import AccountRecord
from sources import Source

__all__ = [
    "check_custodial_access",
    "resolve_account",
    "resolve_accounts",
    "viewer_accounts",
]


def check_custodial_access(context: RequestContext, source: Source, user_id: str) -> str:
    """The caller's user id if `user_id` is theirs; `Unauthenticated`/`Forbidden` otherwise."""
    identity = context.caller.require()
    context.mark_personal()
    if user_id != identity.user_id:
        raise Forbidden(f"the {source.value} account {user_id!r} belongs to another user")
    return identity.user_id


def resolve_account(context: RequestContext, source: Source, address: str) -> AccountRecord:
    """`account(source, address)`: the account, once the caller may read it."""
    definition = context.services.sources.get(source)
    if definition is None:
        served = ", ".join(context.services.sources.names)
        raise BadUserInput(f"source: {str(source)!r} is not one of {served}")
    return definition.account(context, address)


def resolve_accounts(
    context: RequestContext, refs: Sequence[tuple[Source, str]]
) -> list[AccountRecord | GraphError]:
    """`accounts(refs:)`: each account, or the error that fails only its own slot."""
    maximum = context.options.max_ids
    if len(refs) > maximum:
        raise BadUserInput(f"refs: {len(refs)} accounts asked; at most {maximum} at once")
    answers: list[AccountRecord | GraphError] = []
    for source, address in refs:
        try:
            answers.append(resolve_account(context, source, address))
        except GraphError as error:
            answers.append(error)
    return answers


def viewer_accounts(context: RequestContext) -> list[AccountRecord]:
    """The viewer's custodial accounts, in the sources' order: CALICO when a Calico token
    came, and MESH."""
    identity = context.caller.require()
    context.mark_personal()
    accounts = []
    for definition in context.services.sources:
        if definition.viewer_account is not None:
            account = definition.viewer_account(identity)
            if account is not None:
                accounts.append(account)
    return accounts
