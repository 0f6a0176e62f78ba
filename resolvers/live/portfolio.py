"""A portfolio that follows its accounts' feeds: assembled again from their latest readings
whenever one of them changed, with the same functions as the `portfolio` query, and nothing
read for it (its accounts' feeds do the reading, shared with everyone else who follows them).

One portfolio feed serves every subscriber of the same accounts and viewer (same user and
credential), so a change is assembled and compared once however many follow it. Its first
event comes when every account has had a first reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from resolvers.live.diff import move_totals, problem_codes
from resolvers.live.feed import AccountFeed
from resolvers.live.records import PortfolioEvent
from resolvers.live.subscriber import Subscriber
from resolvers.portfolio import PortfolioRecord, SourceProblem, assemble_portfolio
from resolvers.records import AccountRecord, HoldingsRead
from sources import Source

__all__ = ["PortfolioFeed", "PortfolioKey"]


@dataclass(frozen=True, slots=True)
class PortfolioKey:
    account_ids: tuple[str, ...]
    credential: str
    """The user and credential the portfolio is read with (anonymous for none)."""


class PortfolioFeed:
    """One portfolio in this process, and who follows it."""

    def __init__(
        self,
        key: PortfolioKey,
        caller_id: str | None,
        accounts: Sequence[AccountRecord],
        feeds: Sequence[AccountFeed],
        problems: Sequence[SourceProblem],
        order: Sequence[Source],
    ) -> None:
        self.key = key
        self._order = tuple(order)
        self._caller_id = caller_id
        self._accounts = tuple(accounts)
        self.feeds = tuple(feeds)
        self._static = tuple(problems)
        self.subscribers: set[Subscriber[PortfolioEvent]] = set()
        self.record: PortfolioRecord | None = None
        self.events_sent = 0

    def attach(self) -> None:
        for feed in self.feeds:
            feed.listeners.add(self.changed)
        self.changed(None)

    def detach(self) -> None:
        for feed in self.feeds:
            feed.listeners.discard(self.changed)

    def join(self, subscriber: Subscriber[PortfolioEvent]) -> None:
        self.subscribers.add(subscriber)
        if self.record is not None:
            self._start(subscriber, self._state(self.record))

    def leave(self, subscriber: Subscriber[PortfolioEvent]) -> None:
        self.subscribers.discard(subscriber)

    def changed(self, _feed: AccountFeed | None) -> None:
        """One of the accounts has a new reading: assemble, compare, tell the subscribers."""
        if not all(feed.ready for feed in self.feeds):
            return
        reads = [
            HoldingsRead(feed.account, feed.holdings)
            for feed in self.feeds
            if feed.holdings is not None
        ]
        problems = [*self._static, *(p for feed in self.feeds for p in feed.problems)]
        record = assemble_portfolio(self._caller_id, self._accounts, reads, problems, self._order)
        previous, self.record = self.record, record
        event: PortfolioEvent | None = None
        if previous is not None:
            moved = move_totals(previous.totals, record.totals)
            if moved or problem_codes(previous.problems) != problem_codes(record.problems):
                event = PortfolioEvent(False, self._read_at(), record, moved)
        state: PortfolioEvent | None = None
        for subscriber in list(self.subscribers):
            if not subscriber.started:
                state = state or self._state(record)
                self._start(subscriber, state)
            elif event is not None:
                self._offer(subscriber, event)

    def _read_at(self) -> datetime:
        times = [feed.read_at for feed in self.feeds if feed.read_at is not None]
        return max(times) if times else datetime.now(UTC)

    def _state(self, record: PortfolioRecord) -> PortfolioEvent:
        return PortfolioEvent(True, self._read_at(), record, move_totals((), record.totals))

    def _start(self, subscriber: Subscriber[PortfolioEvent], event: PortfolioEvent) -> None:
        subscriber.started = True
        self._offer(subscriber, event)

    def _offer(self, subscriber: Subscriber[PortfolioEvent], event: PortfolioEvent) -> None:
        if subscriber.offer(event):
            self.events_sent += 1
