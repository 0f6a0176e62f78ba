"""Response compression: brotli or gzip, as the request's `Accept-Encoding` allows, above a size.

starlette-compress's `CompressMiddleware` does the work: it reads `Accept-Encoding` with its
q-values (`br;q=0` refuses brotli), prefers brotli to gzip when both are acceptable, leaves a
body under `COMPRESSION_MIN_BYTES` as it is, adds `Vary: Accept-Encoding` to what it could
compress, and never touches a response that already has a `Content-Encoding`, a range (206) or a
media type it does not know. Zstandard is left off: browsers that send `zstd` send `br` too.

Two media types are ours to register (in the library's table, once, at import):

    application/graphql-response+json   compressed like application/json
    multipart/mixed                     incremental delivery (@defer): a streaming type, so
                                        every part is flushed as it is sent and none waits in
                                        the compressor for the next (text/event-stream already is)
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette_compress import CompressMiddleware, add_compress_type

from web.negotiation import GRAPHQL_RESPONSE_JSON

__all__ = ["STREAMED_MEDIA_TYPES", "compression_middleware"]

#: Responses sent part by part: compressed with a flush after each part, never held back.
STREAMED_MEDIA_TYPES = ("multipart/mixed", "text/event-stream")

add_compress_type(GRAPHQL_RESPONSE_JSON)
for _media_type in STREAMED_MEDIA_TYPES:
    add_compress_type(_media_type, streaming=True)


def compression_middleware(min_bytes: int) -> Middleware:
    """Brotli (quality 4) or gzip (level 4) for bodies of `min_bytes` or more: the libraries'
    defaults, which shrink JSON nearly as far as the highest levels at a fraction of the CPU."""
    return Middleware(CompressMiddleware, minimum_size=min_bytes, zstd=False)
