"""The live hub: every feed of this process, who follows each, and the limits on subscriptions.

It lives as long as the app (made in the lifespan, closed on shutdown). A subscription asks it
for a stream: the hub admits it (per user and per process; the connection counts its own), finds
or starts the feed of each account it follows (one per public account, one per user's custodial
account, whatever the number of subscribers), and returns the subscriber's stream. A feed's
driver runs while anyone follows it and is cancelled when the last one leaves, so polling stops
with the last subscriber. Drivers run in a context of their own: no subscriber's request deadline
or request id travels into them.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from resolvers.context import Services
from resolvers.errors import Unauthenticated
from resolvers.identity import Caller
from resolvers.live.errors import TooManySubscriptions
from resolvers.live.feed import AccountFeed
from resolvers.live.keys import FeedKey, credential_of
from resolvers.live.policy import LivePolicy
from resolvers.live.polling import poll
from resolvers.live.portfolio import PortfolioFeed, PortfolioKey
from resolvers.live.reading import read_account
from resolvers.live.records import HoldingsEvent, PortfolioEvent, Reading
from resolvers.live.replicated import Replication, replicate
from resolvers.live.stream import LiveStream
from resolvers.live.subscriber import Subscriber
from resolvers.portfolio import SourceProblem
from resolvers.records import AccountRecord
from telemetry.live import LiveMetrics

__all__ = ["LiveHub", "OnDrop"]

logger = logging.getLogger("holdings_graph.live")

E = TypeVar("E")

OnDrop = Callable[[str], None]
"""How a subscriber's connection ends it at once (a slow consumer): given the reason."""


@dataclass
class _Running:
    feed: AccountFeed
    task: asyncio.Task[None] | None = None
    caller: Caller = field(default_factory=Caller)


class LiveHub:
    """The feeds and subscriptions of this process."""

    def __init__(
        self,
        services: Services,
        policy: LivePolicy,
        metrics: LiveMetrics | None = None,
        replication: Replication | None = None,
    ) -> None:
        self._services = services
        self.policy = policy
        self._metrics = metrics or LiveMetrics()
        self._replication = replication
        self._feeds: dict[FeedKey, _Running] = {}
        self._portfolios: dict[PortfolioKey, PortfolioFeed] = {}
        self._users: Counter[str] = Counter()
        self._open = 0
        self._closed = False

    # -- subscriptions ---------------------------------------------------------------------

    def holdings(
        self, caller: Caller, account: AccountRecord, *, on_drop: OnDrop | None = None
    ) -> LiveStream[HoldingsEvent]:
        """A stream of `account`'s holdings events (access already checked by the caller)."""
        release_admission = self._admit(caller)
        running = self._feed(account, caller)
        subscriber: Subscriber[HoldingsEvent] = self._subscriber(caller, account.custodial, on_drop)
        running.feed.join(subscriber)
        self._metrics.subscriptions("holdings", 1)

        def release() -> None:
            running.feed.leave(subscriber)
            release_admission()
            self._metrics.subscriptions("holdings", -1)
            self._settle(running.feed.key)

        return self._stream(subscriber, release, "holdings")

    def portfolio(
        self,
        caller: Caller,
        accounts: Sequence[AccountRecord],
        problems: Sequence[SourceProblem],
        *,
        on_drop: OnDrop | None = None,
    ) -> LiveStream[PortfolioEvent]:
        """A stream of the portfolio of `accounts` (already checked; `problems` are what its
        viewer part lacks, such as no bearer token)."""
        release_admission = self._admit(caller)
        personal = any(account.custodial for account in accounts) or caller.identity is not None
        key = PortfolioKey(
            tuple(account.id for account in accounts),
            credential_of(caller) if personal else "anonymous",
        )
        portfolio = self._portfolios.get(key)
        if portfolio is None:
            feeds = [self._feed(account, caller).feed for account in accounts]
            identity = caller.identity
            portfolio = PortfolioFeed(
                key,
                identity.user_id if identity else None,
                accounts,
                feeds,
                problems,
                self._services.sources.sources,
            )
            self._portfolios[key] = portfolio
            portfolio.attach()
        subscriber: Subscriber[PortfolioEvent] = self._subscriber(caller, personal, on_drop)
        portfolio.join(subscriber)
        self._metrics.subscriptions("portfolio", 1)

        def release() -> None:
            assert portfolio is not None
            portfolio.leave(subscriber)
            release_admission()
            self._metrics.subscriptions("portfolio", -1)
            if not portfolio.subscribers and self._portfolios.get(key) is portfolio:
                del self._portfolios[key]
                portfolio.detach()
                for feed in portfolio.feeds:
                    self._settle(feed.key)

        return self._stream(subscriber, release, "portfolio")

    # -- admission and streams -------------------------------------------------------------

    def _admit(self, caller: Caller) -> Callable[[], None]:
        policy = self.policy
        if self._closed:
            raise TooManySubscriptions("the server is shutting down; subscribe again shortly")
        if self._open >= policy.max_total:
            self._metrics.dropped("refused")
            raise TooManySubscriptions(
                f"this server holds {self._open} subscriptions, its limit "
                f"(LIVE_MAX_SUBSCRIPTIONS={policy.max_total}); try again later"
            )
        identity = caller.identity
        user = identity.user_id if identity is not None else None
        if user is not None and self._users[user] >= policy.max_per_user:
            self._metrics.dropped("refused")
            raise TooManySubscriptions(
                f"user {user!r} has {self._users[user]} subscriptions open, the limit "
                f"(LIVE_MAX_SUBSCRIPTIONS_PER_USER={policy.max_per_user}); end one first"
            )
        self._open += 1
        if user is not None:
            self._users[user] += 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            self._open -= 1
            if user is not None:
                self._users[user] -= 1
                if self._users[user] <= 0:
                    del self._users[user]

        return release

    def _subscriber(
        self, caller: Caller, personal: bool, on_drop: OnDrop | None
    ) -> Subscriber[Any]:
        identity = caller.identity
        expires_at = identity.expires_at if personal and identity is not None else None
        if expires_at is not None and expires_at <= time.time():
            raise Unauthenticated("the bearer token was refused: it has expired")
        metrics = self._metrics

        def dropped(reason: str) -> None:
            metrics.dropped("slow_consumer")
            if on_drop is not None:
                on_drop(reason)

        return Subscriber(self.policy.queue_events, expires_at=expires_at, on_drop=dropped)

    def _stream(
        self, subscriber: Subscriber[E], release: Callable[[], None], kind: str
    ) -> LiveStream[E]:
        metrics = self._metrics

        def ended(error: BaseException) -> None:
            if isinstance(error, Unauthenticated):
                metrics.dropped("expired")

        return LiveStream(subscriber, release, sent=lambda: metrics.events(kind, 1), ended=ended)

    # -- feeds -------------------------------------------------------------------------------

    def _feed(self, account: AccountRecord, caller: Caller) -> _Running:
        key = FeedKey.of(account, caller)
        running = self._feeds.get(key)
        if running is not None:
            return running
        feed = AccountFeed(key, account)
        running = _Running(feed, caller=caller if account.custodial else Caller())
        self._feeds[key] = running
        self._metrics.pollers(account.source.value, 1)
        # A context of its own: the subscriber's deadline and request id stay with it.
        running.task = asyncio.create_task(
            self._drive(running),
            name=f"live-feed-{account.source.value}",
            context=contextvars.Context(),
        )
        return running

    async def _drive(self, running: _Running) -> None:
        feed = running.feed
        account = feed.account
        services, caller = self._services, running.caller
        interval = self.policy.interval(account.source)
        metrics = self._metrics

        async def read() -> Reading:
            # Half an interval: an answer a query just read serves; one from the last poll not.
            return await read_account(services, account, caller, interval / 2)

        def observe(reading: Reading, role: str = "poll") -> None:
            metrics.reading(account.source.value, role)

        try:
            if self._replication is not None and feed.key.shared:
                await replicate(feed, read, interval, observe, self._replication)
            else:
                await poll(feed, read, interval, observe)
        except asyncio.CancelledError:
            raise
        except Exception:  # a driver that dies leaves its subscribers waiting: log it loudly
            logger.exception("live feed driver of %s ended unexpectedly", account.source.value)

    def _settle(self, key: FeedKey) -> None:
        """Stop a feed no one follows any more."""
        running = self._feeds.get(key)
        if running is None or not running.feed.idle:
            return
        del self._feeds[key]
        self._metrics.pollers(running.feed.account.source.value, -1)
        if running.task is not None:
            running.task.cancel()

    @property
    def feeds(self) -> int:
        """How many account feeds run now."""
        return len(self._feeds)

    async def close(self) -> None:
        """End every subscription and stop every driver (the app's shutdown)."""
        self._closed = True
        reason = "the server is shutting down; subscribe again"
        for portfolio in list(self._portfolios.values()):
            for subscriber in list(portfolio.subscribers):
                subscriber.drop(reason, slow=False)
        for running in list(self._feeds.values()):
            for follower in list(running.feed.subscribers):
                follower.drop(reason, slow=False)
        tasks = [running.task for running in self._feeds.values() if running.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._feeds.clear()
