"""The providers the graph knows: chains, exchanges, brokerages and wallets.

A static registry (slugs are Calico's `provider_id`s, Mesh's broker types in lower case, and the
chains); a provider a source names that the registry lacks is still shown, as an exchange named by
its slug, so nothing a source reports is dropped.
"""

from __future__ import annotations

from resolvers.context import RequestContext
from resolvers.pagination import Page, Pager, Window
from resolvers.records import ProviderKind, ProviderRecord
from sources import Source

__all__ = ["CHAIN_PROVIDERS", "provider", "providers_page"]

_A, _C, _K, _M = Source.ALGORAND, Source.CARDANO, Source.CALICO, Source.MESH
_EX, _BR, _WA, _BC = (
    ProviderKind.EXCHANGE,
    ProviderKind.BROKERAGE,
    ProviderKind.WALLET,
    ProviderKind.BLOCKCHAIN,
)

_REGISTRY: tuple[ProviderRecord, ...] = tuple(
    sorted(
        (
            ProviderRecord("algorand", "Algorand", _BC, (_A,)),
            ProviderRecord("cardano", "Cardano", _BC, (_C,)),
            ProviderRecord("coinbase", "Coinbase", _EX, (_K, _M)),
            ProviderRecord("kraken", "Kraken", _EX, (_K, _M)),
            ProviderRecord("binance", "Binance", _EX, (_K, _M)),
            ProviderRecord("binanceus", "Binance.US", _EX, (_K, _M)),
            ProviderRecord("gemini", "Gemini", _EX, (_K, _M)),
            ProviderRecord("okx", "OKX", _EX, (_K, _M)),
            ProviderRecord("kucoin", "KuCoin", _EX, (_K, _M)),
            ProviderRecord("bitstamp", "Bitstamp", _EX, (_K, _M)),
            ProviderRecord("bitfinex", "Bitfinex", _EX, (_K, _M)),
            ProviderRecord("bybit", "Bybit", _EX, (_K, _M)),
            ProviderRecord("cryptocom", "Crypto.com", _EX, (_K, _M)),
            ProviderRecord("gateio", "Gate.io", _EX, (_K, _M)),
            ProviderRecord("huobi", "Huobi", _EX, (_K, _M)),
            ProviderRecord("metamask", "MetaMask", _WA, (_K,)),
            ProviderRecord("ledger", "Ledger", _WA, (_K,)),
            ProviderRecord("phantom", "Phantom", _WA, (_K,)),
            ProviderRecord("defiwallet", "Self-custody wallet", _WA, (_M,)),
            ProviderRecord("robinhood", "Robinhood", _BR, (_M,)),
            ProviderRecord("etrade", "E*TRADE", _BR, (_M,)),
            ProviderRecord("alpaca", "Alpaca", _BR, (_M,)),
            ProviderRecord("webull", "Webull", _BR, (_M,)),
            ProviderRecord("interactivebrokers", "Interactive Brokers", _BR, (_M,)),
            ProviderRecord("vanguard", "Vanguard", _BR, (_M,)),
            ProviderRecord("public", "Public", _BR, (_M,)),
            ProviderRecord("stash", "Stash", _BR, (_M,)),
            ProviderRecord("acorns", "Acorns", _BR, (_M,)),
            ProviderRecord("etoro", "eToro", _BR, (_M,)),
        ),
        key=lambda record: record.slug,
    )
)
_BY_SLUG = {record.slug: record for record in _REGISTRY}

CHAIN_PROVIDERS = {Source.ALGORAND: _BY_SLUG["algorand"], Source.CARDANO: _BY_SLUG["cardano"]}


def provider(slug: str, *, source: Source = Source.CALICO) -> ProviderRecord:
    """The registry's provider for `slug`, or an exchange named by the slug."""
    known = _BY_SLUG.get(slug.lower())
    if known is not None:
        return known
    return ProviderRecord(slug.lower(), slug, ProviderKind.EXCHANGE, (source,))


def providers_page(
    context: RequestContext, first: int | None, after: str | None, source: Source | None
) -> Page[ProviderRecord]:
    """The `providers` connection: the registry, optionally for one source, by slug."""
    options = context.options
    window = Window.of(first, after, default=options.default_first, maximum=options.max_first)
    listed = [p for p in _REGISTRY if source is None or source in p.sources]
    pager = Pager(f"providers:{source.value if source else '*'}")
    return pager.slice(context.services.cursors, window, listed, context.caller_id)
