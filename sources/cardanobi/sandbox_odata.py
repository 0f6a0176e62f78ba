"""The OData query options CardanoBI's assets route may honour, as the sandbox plays them.

`GET /api/core/accounts/{stake_address}/assets` is `[EnableQuery(PageSize = 100)]` over the
account's whole list, and the service registers `Select().Filter().OrderBy().SetMaxTop(100)
.Count()` (cardanobi-backend-api). Nobody has shown that `$skip` and `$top` page it, so the
sandbox has both worlds (its `odata` setting): off, every `$` option is ignored, as `page_no` and
`page_size` always are; on, `$orderby`, `$skip` and `$top` apply as ASP.NET Core OData applies
them, before the page size of 100:

- `$orderby=<property> [asc|desc]` over the DTO's four properties, ascending by default;
- `$skip` and `$top`: whole numbers >= 0; `$top` above `SetMaxTop(100)` is a 400;
- a `$skip` past the end is `[]` (the 404 for an account without tokens comes before OData).

Anything else about OData (`$filter`, `$select`, `$count`) is not played.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_TOP", "PAGE_SIZE", "ODataRefused", "apply_query"]

PAGE_SIZE = 100
"""`EnableQuery(PageSize = 100)`: the most any answer holds, options or not."""
MAX_TOP = 100
"""`SetMaxTop(100)`."""

_PROPERTIES = ("policy_hex", "fingerprint", "name", "quantity")
_ORDER = re.compile(r"\s*([A-Za-z_]+)(?:\s+(asc|desc))?\s*")
_WHOLE = re.compile(r"[0-9]{1,9}")


class ODataRefused(ValueError):
    """A query option OData refuses (400); the message says which, as OData's does."""


def apply_query(items: list[dict[str, Any]], query: Mapping[str, str]) -> list[dict[str, Any]]:
    """`items` after `$orderby`, `$skip` and `$top` (not yet cut to `PAGE_SIZE`)."""
    ordered = _ordered(items, query.get("$orderby"))
    skip = _whole(query, "$skip")
    top = _whole(query, "$top")
    if top is not None and top > MAX_TOP:
        raise ODataRefused(
            "The query specified in the URI is not valid. The limit of "
            f"'{MAX_TOP}' for Top query has been exceeded. The value from the incoming "
            f"request is '{top}'."
        )
    start = skip or 0
    return ordered[start:] if top is None else ordered[start : start + top]


def _ordered(items: list[dict[str, Any]], order: str | None) -> list[dict[str, Any]]:
    if order is None:
        return items
    match = _ORDER.fullmatch(order)
    if match is None or match.group(1) not in _PROPERTIES:
        raise ODataRefused(
            "The query specified in the URI is not valid. Could not find a property named "
            f"'{(match.group(1) if match else order)[:40]}' on type 'AccountAssetDTO'."
        )
    name, direction = match.group(1), match.group(2) or "asc"
    return sorted(items, key=lambda item: item[name], reverse=direction == "desc")


def _whole(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw is None:
        return None
    if not _WHOLE.fullmatch(raw.strip()):
        raise ODataRefused(
            f"The query specified in the URI is not valid. Invalid value '{raw[:40]}' for "
            f"{name} query option found."
        )
    return int(raw)
