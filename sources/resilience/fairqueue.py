"""Waiters for one shared resource, served fairly: a FIFO queue per caller, callers in turn.

One caller's burst (a thousand reads at once) must not make everyone else wait behind it. Each
caller (`sources.resilience.caller`) has a queue of its own; whenever one unit of the resource is
free, the caller at the head of the rotation gets it for its oldest ticket and moves to the back
(round-robin, the deficit round-robin of equal-sized requests: every unit is one request). With n
callers waiting, each gets one unit in n, however many tickets it holds; a caller alone gets every
unit. Weighted fair queueing would only differ with requests of different costs or callers of
different weights, neither of which exists here.

A ticket that is given up (its wait cancelled, or its time up) leaves at once, so nobody holds a
place for a request that no longer needs it; a unit granted to a ticket just as it was given up
is handed on (`unused`). `ahead` tells how many units would go to others before a ticket a caller
joined now: what a caller's turn would cost it in time, given the rate units come at.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["FairQueue", "Ticket"]


@dataclass(eq=False, slots=True)
class Ticket:
    """One waiter's place: done once granted (or cancelled once it left)."""

    caller: str | None
    granted: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class FairQueue:
    """Tickets by caller; `grant` gives one unit to the next ticket in turn."""

    def __init__(self, unused: Callable[[], None]) -> None:
        """`unused`: what to do with a unit granted to a ticket that left at that moment."""
        self._unused = unused
        # Callers with live tickets, in turn order (the head is served next). A queue may hold
        # tickets that left (skipped when reached) but always at least one live one.
        self._queues: OrderedDict[str | None, deque[Ticket]] = OrderedDict()
        self._live: dict[str | None, int] = {}
        self._total = 0

    def __len__(self) -> int:
        """Live tickets."""
        return self._total

    def ahead(self, caller: str | None) -> int:
        """Units that would go to others' and `caller`'s own older tickets before a ticket
        `caller` joined now (if no one else joined meanwhile)."""
        own = self._live.get(caller, 0)
        turn = own + 1  # the new ticket is served in this round of the rotation
        ahead = own
        behind = False
        for other in self._queues:
            if other == caller:
                behind = True
                continue
            ahead += min(self._live[other], turn - 1 if behind else turn)
        return ahead

    def join(self, caller: str | None) -> Ticket:
        """A new ticket at the back of `caller`'s queue (a new caller joins the rotation last)."""
        ticket = Ticket(caller)
        queue = self._queues.get(caller)
        if queue is None:
            queue = self._queues[caller] = deque()
        queue.append(ticket)
        self._live[caller] = self._live.get(caller, 0) + 1
        self._total += 1
        return ticket

    def grant(self) -> bool:
        """One unit to the oldest ticket of the caller whose turn it is; False if none waits."""
        while self._queues:
            caller = next(iter(self._queues))
            ticket = self._queues[caller].popleft()
            if ticket.granted.done():
                continue  # it left; its count went with it
            self._count_out(caller)
            if caller in self._queues:
                self._queues.move_to_end(caller)
            ticket.granted.set_result(None)
            return True
        return False

    async def wait(
        self, ticket: Ticket, until: Callable[[], float | None], clock: Callable[[], float]
    ) -> bool:
        """Until `ticket` is granted (True) or the time `until()` says has passed (False; asked
        again each time it comes, as it may move later). Either way, or cancelled, a ticket not
        granted has left the queue when this returns."""
        granted = False
        try:
            while True:
                deadline = until()
                timeout = None if deadline is None else deadline - clock()
                if timeout is not None and timeout <= 0:
                    return False
                await asyncio.wait((ticket.granted,), timeout=timeout)
                if ticket.granted.done():
                    granted = True
                    return True
        finally:
            if not granted:
                self._leave(ticket)

    def _leave(self, ticket: Ticket) -> None:
        if ticket.granted.done():
            # Granted in the very step its wait was cancelled: the unit is someone else's.
            self._unused()
            return
        ticket.granted.cancel()
        self._count_out(ticket.caller)

    def _count_out(self, caller: str | None) -> None:
        self._total -= 1
        left = self._live[caller] - 1
        if left:
            self._live[caller] = left
        else:
            del self._live[caller]
            self._queues.pop(caller, None)  # only tickets that left remain in it
