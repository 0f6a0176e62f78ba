"""CardanoBI's nginx gateway as the sandbox plays it: the per-key rate limit of each plan.

From cardanobi-devops' `config/nginx/mainnet/cardanobi-mainnet-api` (the same for preprod and
preview): every `Client-Api-Key` belongs to one plan, and each plan's zone is
`limit_req rate=<r>r/s burst=<b> nodelay`, with `limit_req_status 429` and no `error_page` for
429, so a refused request gets nginx's own HTML page and no `Retry-After`:

    free 1 r/s, no burst    spo 2 r/s, burst 2    dev 4 r/s, burst 4
    dapp 10 r/s, burst 10   enterprise 20 r/s, burst 20

`LimitReq` is nginx's algorithm (`ngx_http_limit_req_module.c`, `ngx_http_limit_req_lookup`):
per key, an `excess` in thousandths of a request and the time of the last accepted one. A request
`ms` milliseconds later makes `excess - rate * ms / 1000 + 1000` (at least 0); above
`burst * 1000` it is refused and nothing changes, else it is accepted and remembered. With
`nodelay`, accepted requests are served at once. So the free plan takes one request, then the
next only a full second after it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MAX_KEYS", "PLANS", "LimitReq", "Plan"]

MAX_KEYS = 10_000
"""Keys remembered at once (nginx's zone is 10 MB); the least recently seen go first."""


@dataclass(frozen=True, slots=True)
class Plan:
    """One plan's `limit_req`: requests per second and how many beyond that may come at once."""

    rate: int
    burst: int


PLANS: dict[str, Plan] = {
    "free": Plan(rate=1, burst=0),
    "spo": Plan(rate=2, burst=2),
    "dev": Plan(rate=4, burst=4),
    "dapp": Plan(rate=10, burst=10),
    "enterprise": Plan(rate=20, burst=20),
}


class LimitReq:
    """Per-key request rates as nginx's `limit_req ... nodelay` counts them."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        #: key -> (excess in thousandths of a request, when the last accepted request came, ms)
        self._keys: OrderedDict[str, tuple[int, int]] = OrderedDict()

    def admit(self, key: str, plan: Plan) -> bool:
        """Whether a request with `key` now is within `plan` (and, if so, count it)."""
        now = int(self._clock() * 1000)
        known = self._keys.get(key)
        if known is None:
            excess, last = 0, now
        else:
            excess, last = known
            elapsed = max(0, now - last)
            excess = max(0, excess - plan.rate * 1000 * elapsed // 1000 + 1000)
            if excess > plan.burst * 1000:
                return False
            if elapsed:
                last = now
        self._keys[key] = (excess, last)
        self._keys.move_to_end(key)
        while len(self._keys) > MAX_KEYS:
            self._keys.popitem(last=False)
        return True

    def forget(self) -> None:
        self._keys.clear()
