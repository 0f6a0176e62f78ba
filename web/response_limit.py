"""MAX_RESPONSE_BYTES: a response body that grew past the limit is replaced by a coded error.

The estimate of a response's fields is checked before execution (MAX_RESPONSE_FIELDS), but what
the fields hold is the upstreams' (names, metadata, long lists): the body is measured once it is
written, and one over the limit is never sent, nor cut part-way (a truncated body is no JSON).
It answers `{"data": null, "errors": [QUERY_TOO_COMPLEX naming the size and the limit]}`
instead, with the status the response had; a batch answers that for each of its operations.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.responses import Response, StreamingResponse

from web.encoding import encode_json

__all__ = ["ResponseLimit"]


@dataclass(frozen=True, slots=True)
class ResponseLimit:
    """The largest body a response may have, in bytes."""

    max_bytes: int

    def hold(self, response: Response, operations: int | None) -> bool:
        """Replace `response`'s body when it is over the limit (`operations`: a batch's
        count, None for one operation); whether it was.

        A response in parts (`@defer`/`@stream` as `multipart/mixed`) is streamed, not held:
        its parts are bounded by the estimates, which count every deferred part in full."""
        if isinstance(response, StreamingResponse):
            return False
        size = len(response.body)
        if size <= self.max_bytes:
            return False
        error = {
            "message": (
                f"the response is {size} bytes, over the limit MAX_RESPONSE_BYTES="
                f"{self.max_bytes}; ask for fewer fields or items in one request"
            ),
            "extensions": {"code": "QUERY_TOO_COMPLEX"},
        }
        refusal = {"data": None, "errors": [error]}
        body = encode_json(refusal if operations is None else [refusal] * operations)
        response.body = body
        response.headers["content-length"] = str(len(body))
        return True
