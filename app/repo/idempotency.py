"""Idempotency keys: the first call with a key claims it; later calls read its result."""

from __future__ import annotations

from dataclasses import dataclass

from app.db.types import Conn


@dataclass(frozen=True)
class Claim:
    operation: str
    fingerprint: str
    artifact_id: str | None


async def claim(conn: Conn, actor: str, key: str, operation: str, fingerprint: str) -> bool:
    """Claim a key for this transaction; False when another call holds or held it.

    A concurrent claim of the same key waits here until the first transaction ends.
    """
    inserted = await conn.fetchval(
        """
        insert into idempotency_keys (actor, key, operation, fingerprint) values ($1, $2, $3, $4)
        on conflict (actor, key) do nothing returning true
        """,
        actor,
        key,
        operation,
        fingerprint,
    )
    return bool(inserted)


async def get(conn: Conn, actor: str, key: str) -> Claim:
    """The stored claim of a key already taken."""
    r = await conn.fetchrow(
        "select operation, fingerprint, artifact_id from idempotency_keys "
        "where actor = $1 and key = $2",
        actor,
        key,
    )
    assert r is not None
    return Claim(r["operation"], r["fingerprint"], r["artifact_id"])


async def complete(conn: Conn, actor: str, key: str, artifact_id: str) -> None:
    """Remember the result of the call that claimed the key."""
    await conn.execute(
        "update idempotency_keys set artifact_id = $3 where actor = $1 and key = $2",
        actor,
        key,
        artifact_id,
    )
