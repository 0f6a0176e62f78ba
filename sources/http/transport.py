"""The only code that touches aiohttp: the session and one exchange, translated into the tree.

Safety rules kept here so no client can forget them: no redirect is followed (a redirect could
carry our credentials to another host), no cookie is kept (the session is shared by all users),
no proxy is taken from the environment, no body is read past the cap (a small gzip answer can
inflate to gigabytes), and no message carries a URL, header or body. Every request carries the
GraphQL request's id as `X-Request-Id`, so logs on both sides join up.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import aiohttp

from sources.errors import UpstreamBadResponse, UpstreamTimeout, UpstreamUnavailable
from sources.http.request import UpstreamRequest
from sources.http.response import UpstreamResponse
from sources.http.setup import Setup
from sources.observe import REQUEST_ID

__all__ = ["Transport", "open_session"]

_USER_AGENT = "holdings-graph/0.1"
_READ_CHUNK = 64 * 1024


def open_session(setup: Setup) -> aiohttp.ClientSession:
    """The upstream's one long-lived session (call from the running loop: the lifespan)."""
    timeouts = setup.policy.timeouts
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeouts.total, connect=timeouts.connect),
        connector=aiohttp.TCPConnector(limit=setup.policy.max_concurrency),
        cookie_jar=aiohttp.DummyCookieJar(),
        headers={"User-Agent": _USER_AGENT, "Accept": "application/json"},
        trust_env=False,
    )


class Transport:
    """Sends one request on the session and reads the whole answer, or raises."""

    def __init__(self, session: aiohttp.ClientSession, setup: Setup) -> None:
        self._session = session
        self._setup = setup
        self._cap = setup.wiring.max_body_bytes

    async def exchange(
        self, request: UpstreamRequest[Any], total: float, cut_short: bool
    ) -> UpstreamResponse:
        """One exchange within `total` seconds (`cut_short`: the request's deadline set it)."""
        setup, name = self._setup, self._setup.name
        headers = dict(request.headers or {})
        request_id = REQUEST_ID.get()
        if request_id is not None:
            headers["X-Request-Id"] = request_id
        timeout = aiohttp.ClientTimeout(
            total=total, connect=min(setup.policy.timeouts.connect, total)
        )
        try:
            async with self._session.request(
                request.method,
                setup.target(request),
                params=request.params,
                headers=headers,
                data=request.data,
                allow_redirects=False,
                timeout=timeout,
            ) as response:
                body = await self._read_body(response)
                status, answered = response.status, response.headers
        except TimeoutError as exc:
            why = " (all the request's deadline left)" if cut_short else ""
            raise UpstreamTimeout(
                setup.source,
                f"{name} did not answer within {total:.3g} s{why}",
                cut_short=cut_short,
            ) from exc
        except aiohttp.ClientPayloadError as exc:
            raise UpstreamUnavailable(setup.source, f"{name} broke off its answer") from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise UpstreamUnavailable(
                setup.source, f"{name} could not be reached ({type(exc).__name__})"
            ) from exc
        named = None if name == setup.source.upstream else name
        return UpstreamResponse(
            setup.source, status, answered, body, read_at=datetime.now(UTC), name=named
        )

    async def _read_body(self, response: aiohttp.ClientResponse) -> bytes:
        """The whole body, or `UpstreamBadResponse` as soon as it is known to pass the cap.

        A `Content-Length` over the cap is refused before reading; otherwise the (decompressed)
        stream is read in chunks and abandoned at the first byte past the cap, so a compressed
        bomb costs at most one chunk more than the cap. Leaving the body unread makes aiohttp
        close the connection instead of reusing it.
        """
        declared = response.content_length
        if declared is not None and declared > self._cap:
            raise self._too_large()
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_READ_CHUNK):
            size += len(chunk)
            if size > self._cap:
                raise self._too_large()
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            self._setup.source,
            f"{self._setup.name} answered with a body larger than {self._cap} bytes",
        )
