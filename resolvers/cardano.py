"""Cardano native tokens (CardanoBI), normalised: exact quantities, CIP-14 fingerprints, and
CAIP-19 `…/token:<policyId>.<assetNameHex>` only when the name bytes are trustworthy.

CardanoBI sends a token's name decoded as UTF-8 (lossy for binary names), so the name bytes are
trusted only when the CIP-14 fingerprint recomputed from policy id and those bytes equals the
fingerprint CardanoBI reported; otherwise the token is known by its fingerprint alone.

Pagination maps onto `page_no`/`page_size` with a fixed upstream page size: a position is
(page, items of it already yielded, fingerprint heading the previous page). Some CardanoBI
servers ignore paging and answer page 1 again; a page headed like the previous one is taken as
the end, so no token is ever yielded twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal

from resolvers.context import RequestContext
from resolvers.pagination import Page, Slice, Window, walk
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.query import HoldingQuery
from resolvers.records import AccountRecord, AssetKind, AssetRecord, HoldingRecord
from sources import Source
from sources.cardanobi.identifiers import fingerprint as cip14_fingerprint
from sources.cardanobi.loaders import AccountAssetsKey
from sources.cardanobi.records import AccountAsset

__all__ = ["asset_node", "holding_node", "holdings", "token_record", "trusted_name"]

_Position = tuple[int, int, str | None]


def trusted_name(policy_hex: str, name: str, fingerprint: str) -> bytes | None:
    """The token's name bytes, if they reproduce CardanoBI's fingerprint (CIP-14)."""
    try:
        policy = bytes.fromhex(policy_hex)
    except ValueError:
        return None
    raw = name.encode("utf-8")
    return raw if cip14_fingerprint(policy, raw) == fingerprint else None


def token_record(
    chain_id: str, policy_hex: str, fingerprint: str, name: str, *, single: bool
) -> AssetRecord:
    """A native token; `single` (one unit in existence or held) marks it as an NFT."""
    raw_name = trusted_name(policy_hex, name, fingerprint)
    return AssetRecord(
        source=Source.CARDANO,
        key=(fingerprint,),
        kind=AssetKind.NFT if single else AssetKind.FUNGIBLE,
        name=name if raw_name is not None and name else None,
        chain_id=chain_id,
        caip19=f"{chain_id}/token:{policy_hex}.{raw_name.hex()}" if raw_name is not None else None,
        policy_id=policy_hex,
        fingerprint=fingerprint,
    )


def _holding_record(
    account: AccountRecord, token: AccountAsset, fetched_at: datetime
) -> HoldingRecord:
    return HoldingRecord(
        account=account,
        asset=token_record(
            account.chain_id or "",
            token.policy_hex,
            token.fingerprint,
            token.name,
            single=token.quantity == 1,
        ),
        key=(token.fingerprint,),
        amount=Decimal(token.quantity),
        raw_amount=token.quantity,
        provider=CHAIN_PROVIDERS[Source.CARDANO],
        wallet_address=account.address,
        fetched_at=fetched_at,
    )


def _fetcher(
    context: RequestContext, account: AccountRecord
) -> Callable[[_Position], Awaitable[Slice[HoldingRecord]]]:
    size = context.options.cardanobi_page_size
    loader = context.loaders.cardanobi.account_assets

    async def fetch(position: _Position) -> Slice[HoldingRecord]:
        page_no, skip, previous_head = position
        page = await loader.load(AccountAssetsKey(account.address, page_no, size, "asc"))
        tokens = page.assets
        if not tokens or (page_no > 1 and tokens[0].fingerprint == previous_head):
            return Slice((), None)  # past the end, or the server ignored page_no
        fetched_at = datetime.now(UTC)
        items = (
            (
                _holding_record(account, tokens[index], fetched_at),
                (page_no, index + 1, previous_head),
            )
            for index in range(skip, len(tokens))
        )
        following = (page_no + 1, 0, tokens[0].fingerprint) if len(tokens) >= size else None
        return Slice(items, following)

    return fetch


def _start(value: object) -> _Position:
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], int)
        and isinstance(value[1], int)
        and (value[2] is None or isinstance(value[2], str))
    ):
        return (max(1, value[0]), max(0, value[1]), value[2])
    return (1, 0, None)


async def holdings(
    context: RequestContext, account: AccountRecord, window: Window, query: HoldingQuery
) -> Page[HoldingRecord]:
    """One page of the stake address's tokens, ascending fingerprint."""
    connection = query.connection(account)
    codec = context.services.cursors
    start = _start(connection.resume(codec, window))
    items, has_next = await walk(
        _fetcher(context, account), start, window.first, None if query.empty else query.keeps
    )
    return connection.page(codec, window, items, has_next)


async def holding_node(
    context: RequestContext, account: AccountRecord, fingerprint: str
) -> HoldingRecord | None:
    """The account's holding of one token (CardanoBI has no per-token route: pages are read)."""
    found, _ = await walk(
        _fetcher(context, account),
        (1, 0, None),
        1,
        lambda holding: holding.asset.fingerprint == fingerprint,
    )
    return found[0][0] if found else None


async def asset_node(context: RequestContext, fingerprint: str) -> AssetRecord | None:
    """A token by fingerprint (CardanoBI's asset details), null if unknown."""
    details = await context.loaders.cardanobi.asset.load(fingerprint)
    if details is None:
        return None
    return token_record(
        context.options.cardano.chain_id,
        details.policy_hex,
        details.fingerprint,
        details.name,
        single=details.total_supply == 1,
    )
