"""Cardano holdings (CardanoBI), normalised: the stake address's ADA balance as a `NATIVE`
holding at the head of the list (`…/slip44:1815`), then its native tokens with exact quantities,
CIP-14 fingerprints, names and kinds as `cardano_names` reads them, and CAIP-19
`…/token:<policyId>.<assetNameHex>` only when the name bytes are trustworthy.

CardanoBI's tokens route has no paging: it answers the first 100 tokens by fingerprint. The
graph asks with OData's `$skip`/`$top`/`$orderby` (which the service may honour) at most 99 at a
time, one less than the cap, so an answer that ignored them says so by its length (100 > 99);
an answer after `$skip` that starts at or before the token it resumes after says so too. Then
the answer is the list's head: the graph takes what it holds past the position asked, asks no
further page, and, when the head is the cap's 100 tokens, marks the list cut (HOLDINGS_INCOMPLETE
on the connection, in the portfolio, and for `node(id:)` of a token that may lie past it).

A position is the offset of the next token and the fingerprint of the one before it (None: the
head, the ADA balance and then the first tokens, asked in the same tick, so batched). A stake
address CardanoBI does not know has no ADA holding (404), nor does one whose `total_balance` is
null: its tokens are still listed. A token CardanoBI sent malformed costs only itself: an
UPSTREAM_BAD_RESPONSE naming it, reported with the page that covers its place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from resolvers.cardano_names import token_name
from resolvers.concurrency import gather_settled
from resolvers.context import RequestContext
from resolvers.errors import HoldingsIncomplete, ScanBudgetSpent
from resolvers.holding_query import HoldingQuery
from resolvers.native import NATIVE_KEY, native_asset
from resolvers.numbers import from_base_units
from resolvers.pagination import MAX_FILTERED_PAGES, Page, Skipped, Slice, Window, walk
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.records import AccountRecord, AssetRecord, HoldingRecord, HoldingsRead
from resolvers.slots import SourceSlot
from sources import Source
from sources.cardanobi.client import PAGE_SIZE, CardanoBIClient
from sources.cardanobi.identifiers import Bech32Error, CardanoNetwork, bech32_decode
from sources.cardanobi.loaders import AccountAssetsKey, CardanoBILoaders
from sources.cardanobi.records import AccountAsset, AccountAssetsPage, AccountInfo
from sources.parsing import Rejected

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
    "tokens_per_request",
]


@dataclass(frozen=True, slots=True)
class Cardano:
    """What the source opened: CardanoBI's client, the network, and how many tokens to ask
    for at once (`tokens_per_request`)."""

    client: CardanoBIClient
    network: CardanoNetwork
    top: int


SLOT = SourceSlot(Source.CARDANO, Cardano, lambda state: CardanoBILoaders.create(state.client))

_At = tuple[int, str | None]
_Position = _At | None
_FIRST: _At = (0, None)
"""The first token (right after the ADA balance)."""


def is_fingerprint(value: str) -> bool:
    """Whether `value` is a CIP-14 fingerprint: bech32 `asset1...` over 20 bytes."""
    try:
        hrp, payload = bech32_decode(value)
    except Bech32Error:
        return False
    return hrp == "asset" and len(payload) == 20 and value == value.lower()


def token_record(chain_id: str, policy_hex: str, fingerprint: str, name: str) -> AssetRecord:
    """A native token, by the same rule whether it is seen in holdings or by id."""
    named = token_name(policy_hex, name, fingerprint)
    raw = named.raw
    return AssetRecord(
        source=Source.CARDANO,
        key=(fingerprint,),
        kind=named.kind,
        name=named.display,
        chain_id=chain_id,
        caip19=f"{chain_id}/token:{policy_hex}.{raw.hex()}" if raw is not None else None,
        policy_id=policy_hex,
        fingerprint=fingerprint,
        name_hex=raw.hex() if raw else None,
    )


def _native_record(account: AccountRecord, info: AccountInfo) -> HoldingRecord | None:
    if info.total_balance is None:
        return None
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


def tokens_per_request(page_size: int) -> int:
    """How many tokens the graph asks CardanoBI for at once (`$top`): `CARDANOBI_PAGE_SIZE`,
    but one less than the route's cap, so an answer that ignored `$top` is longer than asked."""
    return min(page_size, PAGE_SIZE - 1)


def _top(context: RequestContext) -> int:
    return SLOT.state(context).top


def _first_fingerprint(page: AccountAssetsPage) -> str | None:
    return next((token.fingerprint for token in page.assets), None)


class _Read:
    """One answer of the tokens route, placed in the list: which of its entries follow the
    position asked, whether the list goes on, and whether the service cut it."""

    def __init__(self, page: AccountAssetsPage, offset: int, before: str | None) -> None:
        self.fetched_at = page.fetched_at
        head = _first_fingerprint(page)
        ignored = page.served > page.top or (
            offset > 0 and before is not None and head is not None and head <= before
        )
        self.offset = offset
        # Ignored options: the answer is the list's head, whatever was asked, so what follows
        # the position asked is the part of it from `offset` on, and nothing after it.
        self.entries = page.entries[offset:] if ignored else page.entries
        self.cut = ignored and page.served >= PAGE_SIZE
        self.more = not ignored and page.served >= page.top

    def placed(self) -> Iterator[tuple[int, AccountAsset | Rejected]]:
        """Each entry past the position asked, with its offset in the list."""
        for index, entry in enumerate(self.entries):
            yield self.offset + index, entry


async def _read(context: RequestContext, account: AccountRecord, position: _At) -> _Read:
    offset, before = position
    key = AccountAssetsKey(account.address, offset, _top(context))
    page = await SLOT.loaders(context).account_assets.load(key)
    return _Read(page, offset, before)


def _entries(
    account: AccountRecord, read: _Read, before: str | None
) -> Iterator[tuple[HoldingRecord | Skipped, _Position]]:
    for offset, entry in read.placed():
        if isinstance(entry, Rejected):
            yield Skipped(entry.error), (offset + 1, before)
            continue
        if before is not None and entry.fingerprint <= before:
            continue  # a list that shifted between answers: never a token twice
        before = entry.fingerprint
        yield _holding_record(account, entry, read.fetched_at), (offset + 1, before)


def _fetcher(
    context: RequestContext, account: AccountRecord
) -> Callable[[_Position], Awaitable[Slice[HoldingRecord]]]:
    async def fetch(position: _Position) -> Slice[HoldingRecord]:
        head: list[tuple[HoldingRecord | Skipped, _Position]] = []
        at = position or _FIRST
        if position is None:
            # Both loads are asked in this tick, so each loader sends them in one batch.
            info, read = await gather_settled(
                SLOT.loaders(context).account.load(account.address),
                _read(context, account, at),
            )
            native = _native_record(account, info) if info is not None else None
            if native is not None:
                head.append((native, _FIRST))
        else:
            read = await _read(context, account, at)
        entries = list(_entries(account, read, at[1]))
        following = entries[-1][1] if read.more and entries else None
        return Slice([*head, *entries], following, cut=read.cut)

    return fetch


def _start(value: object) -> _Position:
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and value[0] >= 0
        and (value[1] is None or isinstance(value[1], str))
    ):
        return (value[0], value[1])
    return None


def _cut(account: AccountRecord) -> HoldingsIncomplete:
    return HoldingsIncomplete(
        account,
        f"CardanoBI answered only the first {PAGE_SIZE} tokens of {account.address} (by "
        "fingerprint) and ignored the options that page further; the rest are missing",
    )


async def holdings(
    context: RequestContext, account: AccountRecord, window: Window, query: HoldingQuery
) -> Page[HoldingRecord]:
    """One page of the stake address's tokens, ascending fingerprint; a list CardanoBI cut
    comes incomplete, with HOLDINGS_INCOMPLETE."""
    pager = query.pager(account)
    codec = context.services.cursors
    start = _start(pager.resume(codec, window, context.caller_id))
    walked = await walk(
        _fetcher(context, account),
        start,
        window.first,
        None if query.empty else query.keeps,
        page_size=_top(context),
        scan=context.scan,
    )
    return pager.page(codec, window, walked, problems=[_cut(account)] if walked.cut else [])


async def read_all(context: RequestContext, account: AccountRecord, cap: int) -> HoldingsRead:
    """ADA and every token of the stake address, in list order, at most `cap` of them; what
    could not be read (a malformed token, a list CardanoBI cut, a page that failed) as
    problems."""
    walked = await walk(_fetcher(context, account), None, cap, page_size=_top(context))
    problems = (*walked.problems, *([_cut(account)] if walked.cut else []))
    holdings = tuple(item for item, _ in walked.items)
    return HoldingsRead(account, holdings, walked.has_next and not walked.problems, problems)


async def native_holding(context: RequestContext, account: AccountRecord) -> HoldingRecord | None:
    """The stake address's ADA balance; None when CardanoBI does not know the address or has
    no balance for it."""
    info = await SLOT.loaders(context).account.load(account.address)
    return _native_record(account, info) if info is not None else None


async def holding_node(
    context: RequestContext, account: AccountRecord, fingerprint: str
) -> HoldingRecord | None:
    """The account's holding of one token. CardanoBI has no per-token route, so pages are read
    (as far as a filtered scan may go) until the token or a later fingerprint: the list is
    ordered. A token that would lie past a list CardanoBI cut is not "not held": that is
    HOLDINGS_INCOMPLETE."""
    position: _At = _FIRST
    for index in range(MAX_FILTERED_PAGES):
        if index > 0 and not context.scan.take():
            raise ScanBudgetSpent(
                f"finding token {fingerprint} of {account.address} needs more CardanoBI pages "
                "than this request may still read; ask for it in a request of its own"
            )
        read = await _read(context, account, position)
        for offset, entry in read.placed():
            if isinstance(entry, Rejected):
                continue
            if entry.fingerprint == fingerprint:
                return _holding_record(account, entry, read.fetched_at)
            if entry.fingerprint > fingerprint:
                return None
            position = (offset + 1, entry.fingerprint)
        if read.cut:
            raise HoldingsIncomplete(
                account,
                f"token {fingerprint} would lie past the first {PAGE_SIZE} tokens of "
                f"{account.address}, which is all CardanoBI answers; whether it is held is "
                "unknown",
            )
        if not read.more:
            return None
    return None


async def asset_node(context: RequestContext, fingerprint: str) -> AssetRecord | None:
    """A token by fingerprint (CardanoBI's asset details), null if unknown (`[]`)."""
    details = await SLOT.loaders(context).asset.load(fingerprint)
    if details is None:
        return None
    return token_record(
        SLOT.state(context).network.chain_id, details.policy_hex, details.fingerprint, details.name
    )
