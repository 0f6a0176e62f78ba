"""The shared cache of public on-chain reads, and the single flight that coalesces them.

Public reads (algod's and CardanoBI's account data and asset parameters) are the same for every
user, so their answers may be shared between GraphQL requests for a short TTL: parsed, in
process (`ParsedCache`), and with `REDIS_URL` as bytes in Redis for every replica
(`RedisCache`), each entry parsed once per process. `MemoryCache` keeps bytes in process (the
persisted queries' store). Concurrent
identical reads share one upstream call (`SingleFlight`), whether the cache is on or not.
`HttpUpstream` is the only user: a client marks a call cacheable, `HttpUpstream` builds the key
(`cache_key`, from no header and no credential) and keeps only answers the client's parse took.
Custodial data (Calico, Mesh) is never marked, so never shared.
"""

from sources.cache.coalesce import SingleFlight
from sources.cache.key import cache_key
from sources.cache.memory import MemoryCache
from sources.cache.parsed import ParsedAnswer, ParsedCache
from sources.cache.protocol import CachedAnswer, ResponseCache
from sources.cache.redis import RedisCache

__all__ = [
    "CachedAnswer",
    "MemoryCache",
    "ParsedAnswer",
    "ParsedCache",
    "RedisCache",
    "ResponseCache",
    "SingleFlight",
    "cache_key",
]
