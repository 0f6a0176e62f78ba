"""One account's feed in this process: its latest reading, the holdings events made of each new
one, and the subscribers and listeners (portfolio feeds) that follow it.

A driver (`polling.py` here, or `replicated.py` with Redis) hands the feed each reading with
`deliver`. The feed turns it into at most one event, computed once for every subscriber: a
subscriber that has had nothing yet gets the current state (`initial`), the others what changed
since the previous reading, and only when something did (holdings, or the failures met). A
reading that failed changes no holding: the last holdings read stay, and the event carries the
failure. A reading that read only part of the list (its problems say what it missed: an item
sent malformed, a page that failed, a list the upstream cut, a Calico provider) reports what it
saw added and changed, but nothing removed that may be in the part it missed (any holding, or
only the failed provider's): it stays as last read until a complete reading says whether it
went. Listeners are told of every reading that changed something.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from resolvers.live.diff import HoldingsDiff, diff_holdings, keep_unseen, problem_codes
from resolvers.live.keys import FeedKey
from resolvers.live.records import HoldingsEvent, Reading
from resolvers.live.subscriber import Subscriber
from resolvers.portfolio import SourceProblem
from resolvers.records import AccountRecord, HoldingRecord

__all__ = ["AccountFeed"]

Listener = Callable[["AccountFeed"], None]


class AccountFeed:
    """What this process knows of one account, and who follows it."""

    def __init__(self, key: FeedKey, account: AccountRecord) -> None:
        self.key = key
        self.account = account
        self.subscribers: set[Subscriber[HoldingsEvent]] = set()
        self.listeners: set[Listener] = set()
        #: The holdings of the last reading that could read them (None: none could yet).
        self.holdings: tuple[HoldingRecord, ...] | None = None
        self.problems: tuple[SourceProblem, ...] = ()
        self.read_at: datetime | None = None
        self.round: int | None = None
        self.seq = 0
        #: Events handed out, by every subscriber (a figure for the metrics).
        self.events_sent = 0

    @property
    def ready(self) -> bool:
        """Whether a first reading came (the current state is known)."""
        return self.read_at is not None

    @property
    def idle(self) -> bool:
        return not self.subscribers and not self.listeners

    def join(self, subscriber: Subscriber[HoldingsEvent]) -> None:
        """Follow the feed; the current state comes at once when it is known."""
        self.subscribers.add(subscriber)
        if self.ready:
            self._start(subscriber, self._state())

    def leave(self, subscriber: Subscriber[HoldingsEvent]) -> None:
        self.subscribers.discard(subscriber)

    def deliver(self, reading: Reading) -> bool:
        """Take a new reading; whether it changed anything (and events went out)."""
        if reading.seq and reading.seq <= self.seq:
            return False  # a reading this feed has had already (relayed twice)
        first = not self.ready
        before = self.holdings or ()
        change = HoldingsDiff()
        if reading.holdings is not None:
            seen = reading.holdings
            if reading.problems:
                seen = keep_unseen(before, seen, reading.problems)
            change = diff_holdings(before, seen)
            self.holdings = seen
        moved = bool(change) or problem_codes(reading.problems) != problem_codes(self.problems)
        self.problems = reading.problems
        self.read_at = reading.read_at
        self.round = reading.round if reading.round is not None else self.round
        self.seq = reading.seq or self.seq + 1
        state: HoldingsEvent | None = None
        event = self._event(False, change) if moved and not first else None
        for subscriber in list(self.subscribers):
            if not subscriber.started:
                state = state or self._state()
                self._start(subscriber, state)
            elif event is not None:
                self._offer(subscriber, event)
        if moved or first:
            for listener in list(self.listeners):
                listener(self)
        return moved or first

    def _state(self) -> HoldingsEvent:
        return self._event(True, HoldingsDiff(added=self.holdings or ()))

    def _event(self, initial: bool, change: HoldingsDiff) -> HoldingsEvent:
        assert self.read_at is not None
        return HoldingsEvent(
            account=self.account,
            initial=initial,
            read_at=self.read_at,
            round=self.round,
            added=change.added,
            removed=change.removed,
            changed=change.changed,
            problems=self.problems,
            holdings_count=len(self.holdings) if self.holdings is not None else None,
        )

    def _start(self, subscriber: Subscriber[HoldingsEvent], state: HoldingsEvent) -> None:
        subscriber.started = True
        self._offer(subscriber, state)

    def _offer(self, subscriber: Subscriber[HoldingsEvent], event: HoldingsEvent) -> None:
        if subscriber.offer(event):
            self.events_sent += 1
