"""Live subscriptions: one feed per account, polled once for every subscriber, and the events
made of its readings (issue #15).

    records      readings and the events made of them
    diff         holdings added, removed and changed; asset totals moved
    keys         which feed a subscription follows (public, or one user's credential)
    reading      one reading through the query resolvers and upstream layers
    feed         one account's feed in this process: state, events, followers
    portfolio    a portfolio assembled again from its accounts' feeds
    subscriber   one subscriber's bounded queue (a slow consumer is dropped)
    stream       the async iterator a subscription field returns
    polling      the driver of a feed in one process
    replicated   the driver with Redis: one replica polls (a lease), the others follow
    codec        readings as bytes for Redis
    hub          the feeds and subscriptions of the process, and the limits
    context      the operation context that knows the hub
    errors       TOO_MANY_SUBSCRIPTIONS, SLOW_CONSUMER, errors relayed from another replica
"""

from resolvers.live.codec import Describe, ReadingCodec
from resolvers.live.context import LiveContext
from resolvers.live.errors import RelayedError, SlowConsumer, TooManySubscriptions
from resolvers.live.hub import LiveHub, OnDrop
from resolvers.live.policy import LivePolicy
from resolvers.live.records import (
    AssetMove,
    HoldingChange,
    HoldingsEvent,
    PortfolioEvent,
    Reading,
)
from resolvers.live.replicated import Lease, Relay, Replication
from resolvers.live.stream import LiveStream, Mapped

__all__ = [
    "AssetMove",
    "Describe",
    "HoldingChange",
    "HoldingsEvent",
    "Lease",
    "LiveContext",
    "LiveHub",
    "LivePolicy",
    "LiveStream",
    "Mapped",
    "OnDrop",
    "PortfolioEvent",
    "Reading",
    "ReadingCodec",
    "Relay",
    "RelayedError",
    "Replication",
    "SlowConsumer",
    "TooManySubscriptions",
]
