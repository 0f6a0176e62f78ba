"""What replicas share for live subscriptions through Redis: one lease per public account (who
polls it) and the relay of what the poller read (a key, a sequence number, a pub/sub channel).
Custodial accounts never come here."""

from sources.live.lease import RedisLease
from sources.live.relay import RedisRelay

__all__ = ["RedisLease", "RedisRelay"]
