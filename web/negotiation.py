"""Which media type a GraphQL response is written in, from the request's `Accept` header.

GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): a client that accepts
`application/graphql-response+json` gets it, with the status codes that media type defines (4xx
when the request never reached execution). Everything else gets `application/json`, whose status
is 200 whenever the request itself was well-formed: no `Accept`, `*/*` and `application/*` keep
the legacy media type (curl and older clients send these and expect 200). A client that accepts
neither is answered 406.

Quality values follow RFC 9110 §12.5.1: each media type takes the `q` of the most specific range
that matches it; the higher `q` wins, and on a tie the new media type wins only when the client
named it outright.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "response_media_type"]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class _Range:
    media_type: str
    quality: float

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type` (2 exact, 1 `type/*`, 0 `*/*`), or None."""
        if self.media_type == media_type:
            return 2
        if self.media_type == media_type.split("/")[0] + "/*":
            return 1
        if self.media_type == "*/*":
            return 0
        return None


def _ranges(accept: str) -> list[_Range]:
    ranges = []
    for item in accept.split(","):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        if "/" not in media_type:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = -1.0  # a range with an unreadable q counts for nothing
        if 0.0 <= quality <= 1.0:
            ranges.append(_Range(media_type.lower(), quality))
    return ranges


def _match(ranges: list[_Range], media_type: str) -> tuple[float, int]:
    """(quality, specificity) of the most specific range matching `media_type`."""
    matches = [
        (specificity, range_.quality)
        for range_ in ranges
        if (specificity := range_.specificity(media_type)) is not None
    ]
    # The order of ranges in the header never matters; of two equally specific ones (a client
    # repeating itself) the higher q counts.
    specificity, quality = max(matches, default=(-1, 0.0))
    return quality, specificity


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer a request with `accept` in; None when neither is acceptable."""
    if accept is None or not accept.strip():
        return JSON
    ranges = _ranges(accept)
    new_quality, new_specificity = _match(ranges, GRAPHQL_RESPONSE_JSON)
    legacy_quality, _ = _match(ranges, JSON)
    if new_quality <= 0 and legacy_quality <= 0:
        return None
    if new_quality > legacy_quality or (new_quality == legacy_quality and new_specificity == 2):
        return GRAPHQL_RESPONSE_JSON
    return JSON
