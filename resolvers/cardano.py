"""Cardano holdings (CardanoBI), normalised: the stake address's ADA balance as a `NATIVE`
holding at the head of the list (`…/slip44:1815`), then its native tokens with exact quantities,
CIP-14 fingerprints, and CAIP-19 `…/token:<policyId>.<assetNameHex>` only when the name bytes are
trustworthy.

CardanoBI sends a token's name decoded as UTF-8 (lossy for binary names), so the name bytes are
trusted only when the CIP-14 fingerprint recomputed from policy id and those bytes equals the
fingerprint CardanoBI reported; otherwise the token is known by its fingerprint alone.

Pagination maps onto `page_no`/`page_size` with a fixed upstream page size: a position is
(page, items of it already yielded, fingerprint heading the previous page). Some CardanoBI
servers ignore paging and answer page 1 again; a page headed like the previous one is taken as
the end, so no token is ever yielded twice. Page 0 is the head: the ADA balance, then page 1,
both asked in the same tick (so batched). A stake address CardanoBI does not know has no ADA
holding (CardanoBI answers 404; the graph does not guess a zero).
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from resolvers.concurrency import gather_settled
from resolvers.context import RequestContext
from resolvers.errors import ScanBudgetSpent
from resolvers.native import NATIVE_KEY, native_asset
from resolvers.numbers import from_base_units
from resolvers.pagination import MAX_FILTERED_PAGES, Page, Slice, Window, walk
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.query import HoldingQuery
from resolvers.records import AccountRecord, AssetKind, AssetRecord, HoldingRecord, HoldingsRead
from resolvers.slots import SourceSlot
from sources import Source
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.identifiers import Bech32Error, CardanoNetwork, bech32_decode
from sources.cardanobi.identifiers import fingerprint as cip14_fingerprint
from sources.cardanobi.loaders import AccountAssetsKey, CardanoBILoaders
from sources.cardanobi.records import AccountAsset, AccountInfo

__all__ = [
    "SLOT",
    "Cardano",
    "asset_node",
    "holding_node",
    "holdings",
    "is_fingerprint",
    "native_holding",
    "read_all",
    "token_record",
    "trusted_name",
]


@dataclass(frozen=True, slots=True)
class Cardano:
    """What the source opened: CardanoBI's client, the network, and the token page size."""

    client: CardanoBIClient
    network: CardanoNetwork
    page_size: int


SLOT = SourceSlot(Source.CARDANO, Cardano, lambda state: CardanoBILoaders.create(state.client))

_Position = tuple[int, int, str | None]
_HEAD: _Position = (0, 0, None)
"""Page 0: the ADA balance, then the first page of tokens."""
_FIRST_PAGE: _Position = (1, 0, None)


def trusted_name(policy_hex: str, name: str, fingerprint: str) -> bytes | None:
    """The token's name bytes, if they reproduce CardanoBI's fingerprint (CIP-14)."""
    try:
        policy = bytes.fromhex(policy_hex)
    except ValueError:
        return None
    raw = name.encode("utf-8")
    return raw if cip14_fingerprint(policy, raw) == fingerprint else None


def is_fingerprint(value: str) -> bool:
    """Whether `value` is a CIP-14 fingerprint: bech32 `asset1...` over 20 bytes."""
    try:
        hrp, payload = bech32_decode(value)
    except Bech32Error:
        return False
    return hrp == "asset" and len(payload) == 20 and value == value.lower()


def token_record(chain_id: str, policy_hex: str, fingerprint: str, name: str) -> AssetRecord:
    """A native token. CardanoBI does not say whether a token is an NFT (a CIP-68 label sits in
    the name bytes it decodes lossily), so every token is FUNGIBLE: one rule, whether the token
    is seen in holdings or by id."""
    raw_name = trusted_name(policy_hex, name, fingerprint)
    return AssetRecord(
        source=Source.CARDANO,
        key=(fingerprint,),
        kind=AssetKind.FUNGIBLE,
        name=name if raw_name is not None and name else None,
        chain_id=chain_id,
        caip19=f"{chain_id}/token:{policy_hex}.{raw_name.hex()}" if raw_name is not None else None,
        policy_id=policy_hex,
        fingerprint=fingerprint,
    )


def _native_record(account: AccountRecord, info: AccountInfo) -> HoldingRecord:
    asset = native_asset(Source.CARDANO, "ADA", account.chain_id or "")
    return HoldingRecord(
        account=account,
        asset=asset,
        key=NATIVE_KEY,
        amount=from_base_units(info.total_balance, asset.decimals),
        raw_amount=info.total_balance,
        provider=CHAIN_PROVIDERS[Source.CARDANO],
        wallet_address=account.address,
        fetched_at=info.fetched_at,
    )


def _holding_record(
    account: AccountRecord, token: AccountAsset, fetched_at: datetime | None
) -> HoldingRecord:
    return HoldingRecord(
        account=account,
        asset=token_record(account.chain_id or "", token.policy_hex, token.fingerprint, token.name),
        key=(token.fingerprint,),
        amount=Decimal(token.quantity),
        raw_amount=token.quantity,
        provider=CHAIN_PROVIDERS[Source.CARDANO],
        wallet_address=account.address,
        fetched_at=fetched_at,
    )


async def _page(
    context: RequestContext, account: AccountRecord, position: _Position
) -> tuple[tuple[AccountAsset, ...], _Position | None, datetime | None]:
    """The tokens of the page at `position` (none past the end, or when the server ignored
    `page_no` and answered the previous page again), the next page's position, and when
    CardanoBI answered."""
    page_no, _, previous_head = position
    size = SLOT.state(context).page_size
    key = AccountAssetsKey(account.address, page_no, size, "asc")
    page = await SLOT.loaders(context).account_assets.load(key)
    tokens = page.assets
    if not tokens or (page_no > 1 and tokens[0].fingerprint == previous_head):
        return (), None, page.fetched_at
    following = (page_no + 1, 0, tokens[0].fingerprint) if len(tokens) >= size else None
    return tokens, following, page.fetched_at


def _fetcher(
    context: RequestContext, account: AccountRecord
) -> Callable[[_Position], Awaitable[Slice[HoldingRecord]]]:
    async def fetch(position: _Position) -> Slice[HoldingRecord]:
        head: list[tuple[HoldingRecord, _Position]] = []
        if position[0] == 0:
            # Both loads are asked in this tick, so each loader sends them in one batch.
            info, (tokens, following, fetched_at) = await gather_settled(
                SLOT.loaders(context).account.load(account.address),
                _page(context, account, _FIRST_PAGE),
            )
            if info is not None:
                head.append((_native_record(account, info), _FIRST_PAGE))
            position = _FIRST_PAGE
        else:
            tokens, following, fetched_at = await _page(context, account, position)
        page_no, skip, previous_head = position
        last = len(tokens) - 1

        def after(index: int) -> _Position:
            # After a full page's last token, resume at the next page: no refetch of this one.
            if index == last and following is not None:
                return following
            return (page_no, index + 1, previous_head)

        items = (
            (_holding_record(account, tokens[index], fetched_at), after(index))
            for index in range(skip, len(tokens))
        )
        return Slice(itertools.chain(head, items), following)

    return fetch


def _start(value: object) -> _Position:
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], int)
        and isinstance(value[1], int)
        and (value[2] is None or isinstance(value[2], str))
    ):
        return (max(0, value[0]), max(0, value[1]), value[2])
    return _HEAD


async def holdings(
    context: RequestContext, account: AccountRecord, window: Window, query: HoldingQuery
) -> Page[HoldingRecord]:
    """One page of the stake address's tokens, ascending fingerprint."""
    connection = query.connection(account)
    codec = context.services.cursors
    start = _start(connection.resume(codec, window, context.caller_id))
    walked = await walk(
        _fetcher(context, account),
        start,
        window.first,
        None if query.empty else query.keeps,
        page_size=SLOT.state(context).page_size,
        scan=context.scan,
    )
    return connection.page(codec, window, walked)


async def read_all(context: RequestContext, account: AccountRecord, cap: int) -> HoldingsRead:
    """ADA and every token of the stake address, in list order, at most `cap` of them."""
    walked = await walk(
        _fetcher(context, account), _HEAD, cap, page_size=SLOT.state(context).page_size
    )
    return HoldingsRead(account, tuple(item for item, _ in walked.items), walked.has_next)


async def native_holding(context: RequestContext, account: AccountRecord) -> HoldingRecord | None:
    """The stake address's ADA balance; None when CardanoBI does not know the address."""
    info = await SLOT.loaders(context).account.load(account.address)
    return _native_record(account, info) if info is not None else None


async def holding_node(
    context: RequestContext, account: AccountRecord, fingerprint: str
) -> HoldingRecord | None:
    """The account's holding of one token (CardanoBI has no per-token route: pages are read,
    as far as a filtered scan may go)."""
    position: _Position | None = _FIRST_PAGE
    for index in range(MAX_FILTERED_PAGES):
        if position is None:
            break
        if index > 0 and not context.scan.take():
            raise ScanBudgetSpent(
                f"finding token {fingerprint} of {account.address} needs more CardanoBI pages "
                "than this request may still read; ask for it in a request of its own"
            )
        tokens, following, fetched_at = await _page(context, account, position)
        position = following
        for token in tokens:
            if token.fingerprint == fingerprint:
                return _holding_record(account, token, fetched_at)
    return None


async def asset_node(context: RequestContext, fingerprint: str) -> AssetRecord | None:
    """A token by fingerprint (CardanoBI's asset details), null if unknown."""
    details = await SLOT.loaders(context).asset.load(fingerprint)
    if details is None:
        return None
    return token_record(
        SLOT.state(context).network.chain_id, details.policy_hex, details.fingerprint, details.name
    )
