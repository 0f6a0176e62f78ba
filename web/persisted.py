"""Persisted queries: Apollo's automatic persisted queries (APQ), and the trusted-documents mode.

A request names its document by hash in `extensions.persistedQuery` (`{"version": 1,
"sha256Hash": "<64 hex digits>"}`), in a POST body or in a GET's `extensions` parameter. With APQ
(the default):

    hash only, stored          the stored text runs (by GET: cacheable like any GET query)
    hash only, not stored      200 {"errors": [{"message": "PersistedQueryNotFound",
                               "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]}, so
                               Apollo's link sends the text with the hash
    hash and text              the text's SHA-256 must be the hash (else 400
                               PERSISTED_QUERY_HASH_MISMATCH); it runs, and once it has parsed and
                               validated it is stored under the hash
    a malformed extension      400 BAD_REQUEST naming what is wrong

Texts are stored in process (an LRU bounded by PERSISTED_QUERIES_MAX_ENTRIES and
PERSISTED_QUERIES_MAX_BYTES) or, with REDIS_URL, in Redis for every replica; each for
PERSISTED_QUERIES_TTL_SECONDS. PERSISTED_QUERIES_MAX_ENTRIES=0 turns APQ off: a hash answers 400
PERSISTED_QUERY_NOT_SUPPORTED, which tells Apollo's link to stop hashing.

With TRUSTED_DOCUMENTS (a manifest, `web/trusted_documents.py`) only the manifest's operations
run: a request names one by its id in the same extension, or sends exactly one's text; anything
else is 400 PERSISTED_QUERY_NOT_IN_LIST, and nothing is ever stored.

The stores reuse the shared cache's backends (`sources.cache`: the bounded LRU, and Redis with
its timeouts and failure handling: a store that cannot answer is a miss, never an error).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from strawberry.http import GraphQLRequestData

from sources.cache import CachedAnswer, ResponseCache
from web.trusted_documents import TrustedDocuments

__all__ = [
    "DocumentStore",
    "PersistedQueries",
    "Refusal",
    "Registering",
]

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_KEY_PREFIX = "holdings:apq:v1:"
_MAX_ID = 200
"""Longest manifest id accepted (Relay's and Apollo's are hashes: 32 to 64 characters)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request's persisted query cannot run: its HTTP status, code and message."""

    status: int
    code: str
    message: str


@dataclass
class Registering(GraphQLRequestData):
    """A request whose text is to be stored under `sha256` once it has parsed and validated."""

    sha256: str = ""


class DocumentStore:
    """Operation texts by SHA-256, in a `ResponseCache` backend, each for `ttl_seconds`."""

    def __init__(self, cache: ResponseCache, ttl_seconds: float) -> None:
        self._cache = cache
        self._ttl = ttl_seconds

    async def get(self, sha256: str) -> str | None:
        stored = await self._cache.get(_KEY_PREFIX + sha256)
        if stored is None:
            return None
        try:
            return stored.body.decode("utf-8")
        except UnicodeDecodeError:  # not something this store wrote
            return None

    async def put(self, sha256: str, text: str) -> None:
        answer = CachedAnswer(200, text.encode("utf-8"), datetime.now(UTC))
        await self._cache.set(_KEY_PREFIX + sha256, answer, self._ttl)

    async def close(self) -> None:
        await self._cache.close()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class PersistedQueries:
    """Turns a request's persisted-query extension into the text to run, or a `Refusal`.

    `store` is None when APQ is off; `trusted` set means the trusted-documents mode.
    """

    def __init__(
        self, store: DocumentStore | None = None, trusted: TrustedDocuments | None = None
    ) -> None:
        self._store = store
        self._trusted = trusted

    async def close(self) -> None:
        if self._store is not None:
            await self._store.close()

    async def resolve(self, request: GraphQLRequestData) -> GraphQLRequestData | Refusal:
        extension = (request.extensions or {}).get("persistedQuery")
        named = None if extension is None else _named(extension, hashed=self._trusted is None)
        if isinstance(named, Refusal):
            return named
        if self._trusted is not None:
            return self._only_trusted(request, self._trusted, named)
        if named is None:
            return request
        if self._store is None:
            return Refusal(
                400,
                "PERSISTED_QUERY_NOT_SUPPORTED",
                "PersistedQueryNotSupported: automatic persisted queries are off on this server "
                "(PERSISTED_QUERIES_MAX_ENTRIES=0); send the query's text",
            )
        sha256 = named.lower()
        if request.query is None:
            text = await self._store.get(sha256)
            if text is None:
                # Apollo's link recognises this message and code, and sends the text.
                return Refusal(200, "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
            return _with_query(request, text)
        actual = _sha256(request.query)
        if actual != sha256:
            return Refusal(
                400,
                "PERSISTED_QUERY_HASH_MISMATCH",
                f"extensions.persistedQuery.sha256Hash {_shown(named)} is not the SHA-256 of "
                f"the query sent with it ({actual[:16]}...)",
            )
        return Registering(**_values(request), sha256=sha256)

    async def executed(self, request: GraphQLRequestData) -> None:
        """`request` parsed and validated: store its text if it came to be registered."""
        if isinstance(request, Registering) and self._store is not None and request.query:
            await self._store.put(request.sha256, request.query)

    def _only_trusted(
        self, request: GraphQLRequestData, trusted: TrustedDocuments, named: str | None
    ) -> GraphQLRequestData | Refusal:
        if named is not None:
            text = trusted.text(named)
            if text is None:
                return Refusal(
                    400,
                    "PERSISTED_QUERY_NOT_IN_LIST",
                    f"operation {_shown(named)} is not one of this server's trusted documents "
                    "(TRUSTED_DOCUMENTS); it runs only those",
                )
            if request.query is not None and request.query != text:
                return Refusal(
                    400,
                    "PERSISTED_QUERY_HASH_MISMATCH",
                    f"the query sent with {_shown(named)} is not the trusted document of that id",
                )
            return _with_query(request, text)
        if request.query is None or trusted.trusts(request.query):
            return request  # no query at all is refused by the view, as usual
        return Refusal(
            400,
            "PERSISTED_QUERY_NOT_IN_LIST",
            f"the query {_shown(request.query)} is not one of this server's trusted documents "
            "(TRUSTED_DOCUMENTS); send a trusted document's id in "
            "extensions.persistedQuery.sha256Hash",
        )


def _named(extension: Any, *, hashed: bool) -> str | Refusal:
    """The document id of a persistedQuery extension (a SHA-256 with APQ)."""

    def malformed(what: str) -> Refusal:
        return Refusal(400, "BAD_REQUEST", f"extensions.persistedQuery: {what}")

    if not isinstance(extension, dict):
        return malformed(f"must be an object, not {_shown(extension)}")
    version = extension.get("version")
    if version != 1 or isinstance(version, bool):
        return malformed(f"version {_shown(version)} is not supported; version 1 is")
    named = extension.get("sha256Hash")
    if not isinstance(named, str):
        return malformed(f"sha256Hash must be a string, not {_shown(named)}")
    if hashed and not _SHA256.fullmatch(named):
        return malformed(f"sha256Hash {_shown(named)} is not 64 hexadecimal digits")
    if not named or len(named) > _MAX_ID:
        return malformed(f"sha256Hash {_shown(named)} is not a document id")
    return named


def _values(request: GraphQLRequestData) -> dict[str, Any]:
    return {field.name: getattr(request, field.name) for field in fields(GraphQLRequestData)}


def _with_query(request: GraphQLRequestData, text: str) -> GraphQLRequestData:
    return GraphQLRequestData(**{**_values(request), "query": text})
