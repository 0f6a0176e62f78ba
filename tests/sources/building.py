"""`HttpUpstream`s for tests, from the keyword options tests name: the policy's (`timeouts`,
`retry`, `breaker`, `rate`, `max_concurrency`) on top of `BARE_POLICY`, the rest `Wiring`'s
(`observer`, `clock`, `rate_limiter`, `max_body_bytes`, `cache`, ...). An option given as None
is left at its default. CardanoBI's identity server is an upstream of its own (`identity`)."""

from __future__ import annotations

import dataclasses
from typing import Any

from sources.cardanobi.auth import IDENTITY_SERVER
from sources.cardanobi.sandbox import TOKEN_PATH
from sources.http import BARE_POLICY, HttpUpstream, Wiring
from sources.source import Source

__all__ = ["identity", "upstream_of"]

_POLICY = {field.name for field in dataclasses.fields(BARE_POLICY)}


def upstream_of(
    source: Source, url: str, *, name: str | None = None, **options: Any
) -> HttpUpstream:
    """A new (not started) `HttpUpstream` to `url` with `options`."""
    given = {key: value for key, value in options.items() if value is not None}
    policy = dataclasses.replace(
        BARE_POLICY, **{key: value for key, value in given.items() if key in _POLICY}
    )
    wiring = Wiring(**{key: value for key, value in given.items() if key not in _POLICY})
    return HttpUpstream(source, url, policy, wiring, name=name)


def identity(sandbox_url: str, **options: Any) -> HttpUpstream:
    """CardanoBI's identity server (its token endpoint) on the sandbox at `sandbox_url`."""
    return upstream_of(Source.CARDANO, sandbox_url + TOKEN_PATH, name=IDENTITY_SERVER, **options)
