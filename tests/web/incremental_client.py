"""A client of responses sent in parts (`multipart/mixed`), as the tests read them: each part's
JSON and when it arrived, read with aiohttp's own multipart reader as the bytes come."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.harness import GraphClient

__all__ = ["DEFER_2022", "INCREMENTAL_V02", "Arrived", "Parts", "post_for_parts"]

DEFER_2022 = "multipart/mixed;deferSpec=20220824, application/json"
INCREMENTAL_V02 = "multipart/mixed;incrementalSpec=v0.2, application/json"


@dataclass
class Arrived:
    """One part: its JSON, seconds after the request was sent, and what `on_part` noted."""

    body: dict[str, Any]
    seconds: float
    noted: Any = None


@dataclass
class Parts:
    status: int
    headers: Mapping[str, str]
    parts: list[Arrived] = field(default_factory=list)
    #: The body when the response was not sent in parts.
    whole: dict[str, Any] | None = None

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [part.body for part in self.parts]


async def post_for_parts(
    graph: GraphClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    accept: str = DEFER_2022,
    headers: Mapping[str, str] | None = None,
    on_part: Callable[[dict[str, Any]], Awaitable[Any]] | None = None,
) -> Parts:
    """POST `query` asking for parts; `on_part` runs as each part arrives (before the next is
    read), and what it returns is kept with the part."""
    body: dict[str, Any] = {"query": query}
    if variables is not None:
        body["variables"] = dict(variables)
    sent = time.monotonic()
    async with graph.http.post(
        graph.url, json=body, headers={"Accept": accept, **(headers or {})}
    ) as response:
        answer = Parts(response.status, response.headers)
        if not response.headers.get("Content-Type", "").startswith("multipart/mixed"):
            answer.whole = await response.json()
            return answer
        reader = aiohttp.MultipartReader.from_response(response)
        while (part := await reader.next()) is not None:
            assert isinstance(part, aiohttp.BodyPartReader)
            assert part.headers["Content-Type"].startswith("application/json")
            json = await part.json()
            assert isinstance(json, dict)
            arrived = Arrived(json, time.monotonic() - sent)
            if on_part is not None:
                arrived.noted = await on_part(json)
            answer.parts.append(arrived)
    return answer
