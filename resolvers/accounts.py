"""Which accounts a caller may name, and the checks made before any upstream call.

On-chain accounts are public: any well-formed address of the configured network may be asked,
and a malformed one is refused here, naming the value. Custodial accounts (CALICO, MESH) are the
caller's own only: the address is the user id, and anyone else's is forbidden.
"""

from __future__ import annotations

from collections.abc import Sequence

from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Forbidden, GraphError, Unauthenticated
from resolvers.records import AccountRecord
from sources import Source
from sources.algod.address import AddressError, check_address
from sources.cardanobi.identifiers import StakeAddressError, check_stake_address

__all__ = [
    "check_custodial_access",
    "onchain_account",
    "resolve_account",
    "resolve_accounts",
    "viewer_accounts",
]


def onchain_account(context: RequestContext, source: Source, address: str) -> AccountRecord:
    """An ALGORAND or CARDANO account, if `address` is valid on the configured network."""
    options = context.options
    if source is Source.ALGORAND:
        try:
            check_address(address)
        except AddressError as exc:
            raise BadUserInput(
                f"address: {address!r} is not a valid Algorand address: {exc}"
            ) from None
        return AccountRecord(Source.ALGORAND, address, options.algorand_chain)
    if source is Source.CARDANO:
        try:
            normalised = check_stake_address(address, options.cardano)
        except StakeAddressError as exc:
            raise BadUserInput(
                f"address: {address!r} is not a valid Cardano {options.cardano.name} "
                f"stake address: {exc}"
            ) from None
        return AccountRecord(Source.CARDANO, normalised, options.cardano.chain_id)
    raise ValueError(f"{source} is not an on-chain source")


def check_custodial_access(context: RequestContext, source: Source, user_id: str) -> str:
    """The caller's user id if `user_id` is theirs; `Unauthenticated`/`Forbidden` otherwise."""
    identity = context.caller.require()
    context.mark_personal()
    if user_id != identity.user_id:
        raise Forbidden(f"the {source.value} account {user_id!r} belongs to another user")
    return identity.user_id


def resolve_account(context: RequestContext, source: Source, address: str) -> AccountRecord:
    """`account(source, address)`: the account, once the caller may read it."""
    if source in (Source.ALGORAND, Source.CARDANO):
        return onchain_account(context, source, address)
    check_custodial_access(context, source, address)
    if source is Source.CALICO and context.caller.require().calico_token is None:
        raise Unauthenticated(
            "the CALICO account needs the user's Calico access token in X-Calico-Token"
        )
    return AccountRecord(source, address)


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
    """The viewer's custodial accounts: CALICO when a Calico token came, and MESH."""
    identity = context.caller.require()
    context.mark_personal()
    accounts = []
    if identity.calico_token is not None:
        accounts.append(AccountRecord(Source.CALICO, identity.user_id))
    accounts.append(AccountRecord(Source.MESH, identity.user_id))
    return accounts
