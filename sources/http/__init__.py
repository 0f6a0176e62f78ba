"""The one package that speaks HTTP to upstreams: one request value down a chain of small layers.

A client builds an immutable `UpstreamRequest` (method, path or absolute URL, parameters,
headers, body, accepted statuses, endpoint label, whether it may be retried and cached, its
`parse`, its `Auth` if it needs one, and its `refusal`: what the upstream means by a status where
that is not HTTP's usual sense) and hands it to `HttpUpstream.send`. The request then
crosses these layers, in this order (composed once, in `compose.py`):

    cache.py    shared cache of public reads, parsed, in process: a hit is the record a parse
                made before, served without a request, a decode or a check
    flight.py   single flight: concurrent identical public reads share one call below and its
                parsed value; the call is cancelled when its last waiter has gone
    parse.py    every answer is parsed here, once per call; only a 2xx answer that parsed is
                kept (parsed in process, as bytes in Redis); Redis's bytes are looked up here
    auth.py     the request's auth flow (CardanoBI's bearer token): asked for only when a request
                really goes upstream, and retried once with a fresh token after a 401
    breaker.py  the source's circuit breaker: refuses at once while open, one probe when half-open
    retry.py    idempotent calls that failed with "not now" are sent again, within the deadline
    budget.py   each attempt (each retry too) spends one of the request's upstream calls
                (MAX_UPSTREAM_CALLS); one with no room left is not sent
    rate.py     each attempt queues for the source's rate budget, a queue per caller served in
                turn; a call nobody waits for any more leaves it
    attempt.py  one attempt: a concurrency slot (also a queue per caller), the timeout or the
                deadline's time left, one exchange (`transport.py`, the only aiohttp code), the
                status checked

Every layer is built whole from one `Setup`: the source, the name its messages use, the base
URL, its `SourcePolicy` and its `Wiring` (observer, cache, shared rate limiter, body cap, clock).
Whatever aiohttp or the JSON decoder can raise is translated once, in `transport.py` and
`response.py`, into the `UpstreamError` tree; nothing foreign escapes. The safety rules (no
redirects, no cookies, no proxy from the environment, the body cap checked while streaming, no
URL, header or body in a message, the request id sent upstream) live in `transport.py`.
"""

from sources.http.request import Auth, Reading, Refusal, UpstreamRequest, path_segment, raw
from sources.http.response import UpstreamResponse, decode_json
from sources.http.setup import BARE_POLICY, DEFAULT_MAX_BODY_BYTES, Wiring
from sources.http.statuses import error_for_status, parse_retry_after
from sources.http.upstream import HttpUpstream
from sources.resilience.policy import Timeouts

__all__ = [
    "BARE_POLICY",
    "DEFAULT_MAX_BODY_BYTES",
    "Auth",
    "HttpUpstream",
    "Reading",
    "Refusal",
    "Timeouts",
    "UpstreamRequest",
    "UpstreamResponse",
    "Wiring",
    "decode_json",
    "error_for_status",
    "parse_retry_after",
    "path_segment",
    "raw",
]
