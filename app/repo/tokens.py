"""API tokens, stored as hashes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.db.types import Conn


@dataclass(frozen=True)
class TokenRow:
    name: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


async def insert(conn: Conn, name: str, token_hash: str, scopes: Sequence[str]) -> bool:
    """Store a token; False when the name is taken."""
    try:
        await conn.execute(
            "insert into api_tokens (name, token_hash, scopes) values ($1, $2, $3)",
            name,
            token_hash,
            list(scopes),
        )
    except asyncpg.UniqueViolationError:
        return False
    return True


async def revoke(conn: Conn, name: str) -> bool:
    """Revoke a live token by name; False when there is none."""
    status: str = await conn.execute(
        "update api_tokens set revoked_at = clock_timestamp() "
        "where name = $1 and revoked_at is null",
        name,
    )
    return status != "UPDATE 0"


async def by_hash(conn: Conn, token_hash: str) -> TokenRow | None:
    """The live token with this hash, if any."""
    r = await conn.fetchrow(
        "select name, scopes, created_at, revoked_at from api_tokens "
        "where token_hash = $1 and revoked_at is null",
        token_hash,
    )
    return None if r is None else TokenRow(r["name"], tuple(r["scopes"]), r["created_at"], None)


async def list_all(conn: Conn) -> list[TokenRow]:
    """Every token ever created, oldest first."""
    records = await conn.fetch(
        "select name, scopes, created_at, revoked_at from api_tokens order by id"
    )
    return [
        TokenRow(r["name"], tuple(r["scopes"]), r["created_at"], r["revoked_at"]) for r in records
    ]


async def live_names(conn: Conn, names: Sequence[str]) -> set[str]:
    """Those of ``names`` whose token is not revoked."""
    records = await conn.fetch(
        "select name from api_tokens where name = any($1::text[]) and revoked_at is null",
        list(names),
    )
    return {r["name"] for r in records}
