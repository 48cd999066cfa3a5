"""Create, revoke and check API tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app import auth
from app.auth import ANONYMOUS, Principal, Scope
from app.auth import require as require_scope
from app.db.types import Conn
from app.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from app.repo import tokens as token_repo

__all__ = ["ANONYMOUS", "CreatedToken", "authenticate", "create", "require_scope", "revoke"]

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class CreatedToken:
    name: str
    scopes: tuple[Scope, ...]
    token: str


def _scopes(values: Sequence[str]) -> tuple[Scope, ...]:
    if not values:
        raise InvalidInput("a token needs at least one scope", field="scopes")
    try:
        return tuple(sorted({Scope(v) for v in values}))
    except ValueError:
        raise InvalidInput("scopes are read, write and admin", field="scopes") from None


async def create(conn: Conn, name: str, scopes: Sequence[str]) -> CreatedToken:
    """Create a named token; the returned secret is the only copy there will ever be."""
    if not NAME.fullmatch(name):
        raise InvalidInput("token names are 1-64 letters, digits, '.', '_' or '-'", field="name")
    checked = _scopes(scopes)
    token = auth.new_token()
    if not await token_repo.insert(conn, name, auth.token_hash(token), [s.value for s in checked]):
        raise Conflict(f"a token named {name!r} exists", field="name")
    return CreatedToken(name, checked, token)


async def revoke(conn: Conn, name: str) -> None:
    """Revoke a token by name so it stops working at once."""
    if not NAME.fullmatch(name) or not await token_repo.revoke(conn, name):
        raise NotFound(f"no live token named {name!r}", field="name")


async def authenticate(conn: Conn, authorization: str | None) -> Principal:
    """The caller behind an Authorization header; anonymous when there is none.

    A wrong, unknown or revoked token gets the same answer, so failures reveal nothing.
    """
    token = auth.bearer_token(authorization)
    if token is None:
        return auth.ANONYMOUS
    row = await token_repo.by_hash(conn, auth.token_hash(token))
    if row is None:
        raise Unauthenticated("invalid or revoked token")
    return Principal(row.name, frozenset(Scope(s) for s in row.scopes))
