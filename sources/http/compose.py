"""The one place the layers are put in order.

    CacheLayer → FlightLayer → ParseLayer → AuthLayer → BreakerLayer → RetryLayer → BudgetLayer
    → RateLayer → AttemptLayer

Each wraps the next (tower's `Layer`), and each is built whole from the same `Setup`; a source
whose policy has no breaker has no breaker layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from sources.http.attempt import AttemptLayer
from sources.http.auth import AuthLayer
from sources.http.breaker import BreakerLayer
from sources.http.budget import BudgetLayer
from sources.http.cache import CacheLayer
from sources.http.flight import FlightLayer
from sources.http.parse import ParseLayer
from sources.http.rate import RateLayer
from sources.http.retry import RetryLayer
from sources.http.setup import Read, Send, Setup
from sources.http.transport import Transport

__all__ = ["Chain", "compose"]


@dataclass(frozen=True, slots=True)
class Chain:
    """A composed chain: its top, and its breaker layer if the policy has one."""

    top: CacheLayer
    breaker: BreakerLayer | None


def compose(setup: Setup, session: aiohttp.ClientSession) -> Chain:
    """The layers over `session`, from the top: parsed shared cache, single flight, parse (and
    the bytes in Redis), auth, breaker, retry, the request's call budget, rate limit, one
    attempt."""
    send: Send = AttemptLayer(Transport(session, setup), setup)
    send = RateLayer(send, setup)
    send = BudgetLayer(send, setup)
    send = RetryLayer(send, setup)
    breaker = BreakerLayer(send, setup) if setup.policy.breaker is not None else None
    send = AuthLayer(breaker or send, setup)
    read: Read = FlightLayer(ParseLayer(send, setup), setup)
    return Chain(top=CacheLayer(read, setup), breaker=breaker)
