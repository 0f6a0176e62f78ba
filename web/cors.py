"""Cross-origin calls from browsers (CORS): which web pages may call the graph.

Starlette's `CORSMiddleware` speaks the protocol (preflights, `Access-Control-*` headers, `Vary:
Origin` on every response); this module gives it the graph's policy:

    origins        exact (`https://app.example.com`, or `*` for any) and patterns, where `*` is one
                   DNS label at the left of the host (`https://*.example.com`) or any port
                   (`http://localhost:*`, which also matches `http://localhost`)
    methods        GET and POST (what GraphQL over HTTP uses)
    headers        every request header the graph reads (`REQUEST_HEADERS`)
    exposed        `X-Request-Id`, so a page can quote the id of a failed call
    max age        how long a browser may reuse a preflight's answer
    credentials    cookies and TLS client certificates: only when asked for (the graph reads
                   none; bearer and Calico tokens are headers, allowed without them)

A preflight from an origin not allowed is answered 400 without `Access-Control-Allow-Origin`, and
any other response to it carries no such header either, so the browser keeps the answer from the
page. The default origins (none, or `DEV_ORIGIN_PATTERNS` on the embedded sandboxes) are chosen
by the settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

__all__ = [
    "DEV_ORIGIN_PATTERNS",
    "EXPOSED_HEADERS",
    "METHODS",
    "REQUEST_HEADERS",
    "CorsPolicy",
    "exact_origin",
    "origin_pattern",
]

#: Every request header the graph reads: the media types (web/negotiation.py, web/view.py), the
#: caller's credentials (web/cache_control.py PERSONAL_HEADERS) and the request id
#: (web/middleware.py). A header a page sends that is not here fails its preflight.
REQUEST_HEADERS = ("Accept", "Authorization", "Content-Type", "X-Calico-Token", "X-Request-Id")
METHODS = ("GET", "POST")
EXPOSED_HEADERS = ("X-Request-Id",)
#: Pages a developer serves on this machine (a Vite or Next.js dev server, on any port).
DEV_ORIGIN_PATTERNS = ("http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*")

_SCHEMES = ("http", "https")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_IPV6 = re.compile(r"\[[0-9a-f:.]+\]")
_ANY_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


def exact_origin(value: str) -> str:
    """`value` as a browser writes it in `Origin` (`scheme://host[:port]`, lower case), or `*`.

    Raises ValueError naming what is wrong: a path, a scheme other than http(s), `null` (sent by
    sandboxed frames and files: allowing it would allow them all).
    """
    text = value.strip().rstrip("/").lower()
    if text == "*":
        return text
    scheme, host, port = _parts(text, value)
    if "*" in host or "*" in (port or ""):
        raise ValueError(f"{_shown(value)} has a '*': put patterns in CORS_ALLOW_ORIGIN_PATTERNS")
    _check_host(host, value, wildcard=False)
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def origin_pattern(pattern: str) -> str:
    """The regular expression (for a full match) of an origin pattern such as
    `https://*.example.com` or `http://localhost:*`; ValueError when it is not one."""
    text = pattern.strip().rstrip("/").lower()
    scheme, host, port = _parts(text, pattern)
    _check_host(host, pattern, wildcard=True)
    regex = re.escape(f"{scheme}://")
    if host.startswith("*."):
        regex += _ANY_LABEL + re.escape(host[1:])
    else:
        regex += re.escape(host)
    if port == "*":
        regex += r"(?::[0-9]{1,5})?"
    elif port:
        regex += re.escape(f":{port}")
    return regex


def _parts(text: str, shown: str) -> tuple[str, str, str | None]:
    scheme, separator, rest = text.partition("://")
    if not separator or scheme not in _SCHEMES:
        raise ValueError(f"{_shown(shown)} is not an origin: write scheme://host[:port], http(s)")
    if any(character in rest for character in "/?#@\\ "):
        raise ValueError(f"{_shown(shown)} is not an origin: no path, query or user, only host")
    if rest.startswith("["):
        host, _, after = rest.partition("]")
        host += "]"
        port = after[1:] if after.startswith(":") else None
        if after and port is None:
            raise ValueError(f"{_shown(shown)} is not an origin: junk after the IPv6 address")
    else:
        host, colon, port_text = rest.partition(":")
        port = port_text if colon else None
    if port is not None and port != "*" and not (port.isdigit() and 0 < int(port) < 65536):
        raise ValueError(f"{_shown(shown)} has no valid port (1 to 65535, or * for any)")
    return scheme, host, port


def _check_host(host: str, shown: str, *, wildcard: bool) -> None:
    if _IPV6.fullmatch(host):
        return
    labels = host.split(".")
    if wildcard and labels[0] == "*":
        # `*.com` would let anyone who registers a domain in; ask for a name under the star.
        if len(labels) < 3:
            raise ValueError(
                f"{_shown(shown)}: a '*' must stand before a domain of two labels or more "
                "(https://*.example.com)"
            )
        labels = labels[1:]
    if not all(_LABEL.fullmatch(label) for label in labels):
        where = "only as the leftmost label of the host" if wildcard else "not at all"
        raise ValueError(f"{_shown(shown)} has no valid host name ('*' is allowed {where})")


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


@dataclass(frozen=True, slots=True)
class CorsPolicy:
    """The origins allowed to call the graph from a page, and what a preflight answers."""

    origins: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    credentials: bool = False
    max_age_seconds: int = 600

    def __post_init__(self) -> None:
        if self.credentials and "*" in self.origins:
            raise ValueError(
                "CORS with credentials for any origin ('*') would let every site call with "
                "the user's cookies: list the origins"
            )

    def _regex(self) -> str | None:
        if not self.patterns:
            return None
        return "|".join(f"(?:{origin_pattern(pattern)})" for pattern in self.patterns)

    def middleware(self) -> Middleware:
        """Starlette's CORS middleware with this policy."""
        return Middleware(
            CORSMiddleware,
            allow_origins=[exact_origin(origin) for origin in self.origins],
            allow_origin_regex=self._regex(),
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            allow_credentials=self.credentials,
            expose_headers=EXPOSED_HEADERS,
            max_age=self.max_age_seconds,
        )

    def allows(self, origin: str) -> bool:
        """Whether a page of `origin` (an `Origin` header as sent) may call the graph: what the
        CORS middleware answers a preflight, for requests no preflight precedes (WebSockets)."""
        if "*" in self.origins:
            return True
        origin = origin.lower()
        if origin in (exact_origin(allowed) for allowed in self.origins):
            return True
        regex = self._regex()
        return regex is not None and re.fullmatch(regex, origin) is not None

    def describe(self) -> str:
        """The allowed origins in one line, for the start-up message."""
        allowed = [*self.origins, *self.patterns]
        return ", ".join(allowed) if allowed else "none"
