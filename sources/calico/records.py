"""What the Calico client hands back: typed, exact, free of credentials.

The shapes follow Calico Platform API v2 (`GetAssetsResponse`, `AssetPosition`, `ErrorItem`,
`PageData`) and v1's `RefreshResponse`, as UPSTREAMS.md §3 and contract decision 3 fix them.
Amounts and prices are `Decimal`, whether Calico wrote them as JSON numbers or as strings.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sources.parsing import Rejected

__all__ = ["AssetPosition", "AssetsPage", "ProviderFailure", "RefreshResult"]


@dataclass(frozen=True, slots=True)
class AssetPosition:
    """One asset the user holds at one provider (an exchange account or a wallet)."""

    asset_symbol: str
    asset_holdings: Decimal
    staked_holdings: Decimal | None
    time_fetched: datetime | None
    """When Calico last read the position from the provider; timezone-aware UTC."""
    provider_id: str
    price_in_usd: Decimal | None
    wallet_address_redacted: str | None
    """The wallet's address with its middle elided (e.g. `0x71C7…976F`), for wallets only."""
    chain: str | None


@dataclass(frozen=True, slots=True)
class ProviderFailure:
    """A connected provider Calico could not read (an `errors[]` item of a 206 answer)."""

    provider_id: str
    cause: str


@dataclass(frozen=True, slots=True)
class AssetsPage:
    """One page of `GET /accounts/v2/assets`."""

    entries: tuple[AssetPosition | Rejected, ...]
    """In Calico's order; an asset that could not be read is a `Rejected` in its place."""
    errors: tuple[ProviderFailure, ...]
    """Per-provider failures: the rest of the page is still good."""
    next_cursor: str | None
    """The `cursor` query value of `page.next_uri`; `None` on the last page."""
    fetched_at: datetime | None = None
    """When Calico answered (the client sets it from the answer's `read_at`): the time of an
    asset that has no `time_fetched` of its own."""

    @property
    def assets(self) -> tuple[AssetPosition, ...]:
        """The assets that could be read."""
        return tuple(entry for entry in self.entries if isinstance(entry, AssetPosition))


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """The answer to `POST /platform/v1/assets/refresh`.

    A refusal because the user refreshed too recently (429) is an answer, not a failure:
    `accepted` is false and `retry_after_seconds` says when to ask again, if Calico said.
    """

    accepted: bool
    retry_after_seconds: int | None
