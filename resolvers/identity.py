"""Who is calling: the bearer JWT verified with PyJWT, and the forwarded Calico token.

The `sub` claim is the user id (Mesh `UserId`, and the owner of every custodial id and cursor).
Only the configured algorithm is accepted (HS256 with `JWT_SECRET`, or RS256 with
`JWT_PUBLIC_KEY`), so `alg: none` and algorithm confusion are refused; `exp` and `sub` are
required; `aud`/`iss` are checked when configured. A refused token does not fail the request:
the caller is anonymous, and fields that need a user say why (without echoing the token).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt

from resolvers.errors import Unauthenticated

__all__ = ["Caller", "Identity", "TokenVerifier", "issue_token"]

_MAX_USER_ID = 300  # Mesh's UserId limit


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated end user; the Calico token is theirs, forwarded to Calico only."""

    user_id: str
    calico_token: str | None = field(default=None, repr=False)
    #: When the bearer token stops being valid (its `exp`, seconds since the epoch): a live
    #: subscription to custodial data ends then.
    expires_at: float | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """The identity a request proved, or why the bearer token it sent was refused."""

    identity: Identity | None = None
    refusal: str | None = None

    def require(self) -> Identity:
        """The identity, or `Unauthenticated` saying what is missing."""
        if self.identity is not None:
            return self.identity
        if self.refusal is not None:
            raise Unauthenticated(f"the bearer token was refused: {self.refusal}")
        raise Unauthenticated(
            "custodial data needs 'Authorization: Bearer <JWT>' identifying the user"
        )


class TokenVerifier:
    """Verifies bearer tokens with one key and one algorithm."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        public_key: str | None = None,
        audience: str | None = None,
        issuer: str | None = None,
        leeway_seconds: int = 30,
    ) -> None:
        if (secret is None) == (public_key is None):
            raise ValueError("configure exactly one of JWT_SECRET and JWT_PUBLIC_KEY")
        key = secret if secret is not None else public_key
        assert key is not None
        self._key: str = key
        self._algorithm = "HS256" if secret is not None else "RS256"
        self._audience = audience
        self._issuer = issuer
        self._leeway = leeway_seconds

    def caller(self, authorization: str | None, calico_token: str | None) -> Caller:
        """The caller a request's headers prove."""
        if not authorization:
            return Caller()
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Caller(refusal="the Authorization header must be 'Bearer <JWT>'")
        try:
            user_id, expires_at = self._verified(token.strip())
        except Unauthenticated as exc:
            return Caller(refusal=exc.message)
        calico = calico_token.strip() if calico_token and calico_token.strip() else None
        return Caller(Identity(user_id, calico, expires_at))

    def verify(self, token: str) -> str:
        """The `sub` of a valid token; `Unauthenticated` with the reason otherwise."""
        return self._verified(token)[0]

    def _verified(self, token: str) -> tuple[str, float]:
        """The `sub` and `exp` of a valid token."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": self._audience is not None,
                    "verify_iss": self._issuer is not None,
                },
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("it has expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthenticated("it is not valid yet (nbf or iat in the future)") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated("it is not meant for this audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("it was not issued by the configured issuer") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"it lacks the {exc.claim!r} claim") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise Unauthenticated(f"only {self._algorithm} tokens are accepted") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated("its signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("it is not a well-formed JWT") from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 1 <= len(subject) <= _MAX_USER_ID:
            raise Unauthenticated(f"its 'sub' must be a user id of 1 to {_MAX_USER_ID} characters")
        return subject, float(claims["exp"])


def issue_token(
    secret: str,
    user_id: str,
    *,
    lifetime: timedelta = timedelta(hours=12),
    audience: str | None = None,
    issuer: str | None = None,
    now: datetime | None = None,
) -> str:
    """A development HS256 token for `user_id` (what `python server.py token USER` prints)."""
    issued = now or datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": user_id,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
    }
    if audience:
        claims["aud"] = audience
    if issuer:
        claims["iss"] = issuer
    return jwt.encode(claims, secret, algorithm="HS256")
