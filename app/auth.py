"""Tokens and scopes: who may do what. No I/O."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from app.errors import Forbidden, Unauthenticated

TOKEN_PREFIX = "mreg_"


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    PROMOTE = "promote"  # move protected aliases
    ADMIN = "admin"


# A scope grants itself and every scope below it.
_IMPLIES = {
    Scope.READ: {Scope.READ},
    Scope.WRITE: {Scope.READ, Scope.WRITE},
    Scope.PROMOTE: {Scope.READ, Scope.WRITE, Scope.PROMOTE},
    Scope.ADMIN: {Scope.READ, Scope.WRITE, Scope.PROMOTE, Scope.ADMIN},
}


@dataclass(frozen=True)
class Principal:
    """The caller: a named token with scopes, or nobody."""

    name: str | None
    scopes: frozenset[Scope]

    @property
    def authenticated(self) -> bool:
        return self.name is not None

    def grants(self, scope: Scope) -> bool:
        return any(scope in _IMPLIES[s] for s in self.scopes)


ANONYMOUS = Principal(None, frozenset())


def new_token() -> str:
    """A fresh random bearer token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None if absent."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def require(principal: Principal, scope: Scope) -> None:
    """Raise unless ``principal`` holds ``scope``."""
    if not principal.authenticated:
        raise Unauthenticated(f"this operation needs a token with the {scope} scope")
    if not principal.grants(scope):
        raise Forbidden(f"this token lacks the {scope} scope")
