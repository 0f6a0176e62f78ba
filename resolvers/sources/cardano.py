"""CARDANO: a stake address's ADA and native tokens, through CardanoBI.

Composes `sources/cardanobi/` (client and its identity server, loaders, sandbox,
`CardanoBIConfig`) with `resolvers/cardano.py` (normalisation and paging).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING

from resolvers import cardano
from resolvers.cardano import SLOT, Cardano, tokens_per_request
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.holding_query import HoldingQuery
from resolvers.native import NATIVE_KEY, native_asset
from resolvers.pagination import Page, Window
from resolvers.providers import CHAIN_PROVIDERS
from resolvers.records import AccountRecord, AssetRecord, HoldingRecord, ProviderRecord
from resolvers.sources.definition import Key, SourceDefinition, SourceOpener, ready
from resolvers.upstream_calls import UpstreamCalls, pages
from sources import Source
from sources.cardanobi.auth import IDENTITY_SERVER, IdentityObserver
from sources.cardanobi.client import CardanoBIClient
from sources.cardanobi.config import CardanoBIConfig
from sources.cardanobi.identifiers import CARDANO_NETWORKS, StakeAddressError, check_stake_address

if TYPE_CHECKING:
    from sources.sandboxing import Sandbox

__all__ = ["CARDANO"]


async def _open(opener: SourceOpener, config: CardanoBIConfig) -> Cardano:
    """CardanoBI's API and its identity server, two upstreams: a failing identity server opens
    its own breaker, never the API's."""
    identity = await opener.open_beside(
        config.token_url, IDENTITY_SERVER, IdentityObserver(opener.observer)
    )
    client = CardanoBIClient(
        await opener.open(config.base_url),
        identity=identity,
        api_key=config.api_key.get_secret_value() if config.api_key else "",
        api_secret=config.api_secret.get_secret_value() if config.api_secret else "",
    )
    return Cardano(client, CARDANO_NETWORKS[config.network], tokens_per_request(config.page_size))


def _sandbox() -> Sandbox:
    # Imported here: only a server that runs the sandbox loads the server side of aiohttp.
    from sources.cardanobi.sandbox import CardanoBISandbox

    return CardanoBISandbox()


def _account(context: RequestContext, address: str) -> AccountRecord:
    network = SLOT.state(context).network
    try:
        normalised = check_stake_address(address, network)
    except StakeAddressError as exc:
        raise BadUserInput(
            f"address: {address!r} is not a valid Cardano {network.name} stake address: {exc}"
        ) from None
    return AccountRecord(Source.CARDANO, normalised, network.chain_id)


def _holdings(
    context: RequestContext,
    account: AccountRecord,
    window: Window,
    query: HoldingQuery,
    *,
    count: bool,
) -> Awaitable[Page[HoldingRecord]]:
    return cardano.holdings(context, account, window, query)


def _fingerprint(key: Key) -> str | None:
    return key[0] if len(key) == 1 and cardano.is_fingerprint(key[0]) else None


def _holding_node(
    context: RequestContext, account: AccountRecord, key: Key
) -> Awaitable[HoldingRecord | None] | None:
    if key == NATIVE_KEY:
        return cardano.native_holding(context, account)
    fingerprint = _fingerprint(key)
    return None if fingerprint is None else cardano.holding_node(context, account, fingerprint)


def _asset_node(context: RequestContext, key: Key) -> Awaitable[AssetRecord | None] | None:
    if key == NATIVE_KEY:
        return ready(native_asset(Source.CARDANO, "ADA", SLOT.state(context).network.chain_id))
    fingerprint = _fingerprint(key)
    return None if fingerprint is None else cardano.asset_node(context, fingerprint)


async def _providers(context: RequestContext, account: AccountRecord) -> list[ProviderRecord]:
    return [CHAIN_PROVIDERS[Source.CARDANO]]


def _calls(config: CardanoBIConfig) -> UpstreamCalls:
    """The balance and ceil(first / page) token answers of at most CARDANOBI_PAGE_SIZE, 99
    (`tokens_per_request`; the ADA balance heads the list); after a cursor no balance and one
    more (it resumes part-way). A node is one request."""
    size = tokens_per_request(config.page_size)

    def holdings(first: int, resumed: bool, filtered: bool) -> int:
        return pages(first + 1, size) + 1 if resumed else 1 + pages(first, size)

    return UpstreamCalls(holdings, lambda cap: 1 + pages(cap, size), node=1)


CARDANO = SourceDefinition(
    slot=SLOT,
    description="Cardano, through CardanoBI.",
    config=CardanoBIConfig,
    open=_open,
    sandbox=_sandbox,
    calls=_calls,
    account=_account,
    holdings=_holdings,
    read_all=cardano.read_all,
    holding_node=_holding_node,
    asset_node=_asset_node,
    providers=_providers,
)
